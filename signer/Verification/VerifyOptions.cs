namespace AtymSecure.Signer.Verification;

/// <summary>How <see cref="ArtifactVerifier"/> searches and what it accepts.</summary>
public sealed record VerifyOptions
{
    /// <summary>Also check the legacy cosign <c>.sig</c> tag.</summary>
    public bool IncludeLegacyCosign { get; init; } = true;

    /// <summary>
    /// Predicate types that count as "verified" (e.g. only <c>https://sigstore.dev/cosign/sign/v1</c>);
    /// null accepts any verified signature, attestation, message signature or legacy signature.
    /// </summary>
    public IReadOnlyList<string>? AcceptedPredicateTypes { get; init; }

    /// <summary>Most referrers examined; a registry could list thousands to slow us down.</summary>
    public int MaxReferrers { get; init; } = 256;
}
