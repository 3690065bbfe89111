using AtymSecure.Oci.Wire;

namespace AtymSecure.Signer.Verification;

/// <summary>Where a checked signature came from.</summary>
public enum SignatureSource
{
    /// <summary>A Sigstore bundle referrer (referrers API or fallback tag).</summary>
    Referrer = 1,
    /// <summary>A layer of the legacy cosign <c>sha256-&lt;hex&gt;.sig</c> tag.</summary>
    LegacyCosignTag,
}

/// <summary>The outcome for one attached bundle or legacy signature.</summary>
/// <param name="Location">referrer manifest digest (and layer) the signature was read from</param>
public sealed record BundleVerificationResult(
    SignatureSource Source,
    string Location,
    VerifiedBundle? Verified,
    VerificationFailure? Failure,
    string? Error)
{
    public bool IsVerified => Verified is not null;

    public static BundleVerificationResult Success(SignatureSource source, string location, VerifiedBundle verified) =>
        new(source, location, verified, null, null);

    public static BundleVerificationResult Failed(SignatureSource source, string location, SignatureVerificationException error) =>
        new(source, location, null, error.Failure, error.Message);

    public override string ToString() => IsVerified
        ? $"{Location}: verified ({Verified!.Content}, key {Verified.KeyId}{(Verified.PredicateType is null ? "" : ", predicate " + Verified.PredicateType)})"
        : $"{Location}: {Failure}: {Error}";
}

/// <summary>Everything <see cref="ArtifactVerifier"/> found about one manifest.</summary>
public sealed record ArtifactVerificationReport(string Reference, Descriptor Subject, IReadOnlyList<BundleVerificationResult> Results,
    IReadOnlyList<string>? AcceptedPredicateTypes)
{
    /// <summary>Results that verified and (when a predicate filter is set) carry an accepted predicate type.</summary>
    public IReadOnlyList<BundleVerificationResult> Accepted =>
        [.. Results.Where(r => r.IsVerified && (AcceptedPredicateTypes is null || AcceptedPredicateTypes.Contains(r.Verified!.PredicateType ?? "")))];

    public bool IsVerified => Accepted.Count > 0;

    /// <summary>Throws the specific <see cref="SignatureVerificationException"/> when nothing acceptable verified.</summary>
    public void ThrowIfNotVerified()
    {
        if (IsVerified) return;
        var where = $"{Reference} ({Subject.Digest})";
        if (Results.Count == 0)
            throw new NoSignatureFoundException($"no Sigstore bundle or cosign signature is attached to {where}");
        var failed = Results.FirstOrDefault(r => !r.IsVerified);
        if (failed is null)
            throw new NoSignatureFoundException(
                $"{Results.Count} signature(s) on {where} verified, but none has an accepted predicate type ({string.Join(", ", AcceptedPredicateTypes!)})");
        var all = string.Join("; ", Results.Select(r => r.ToString()));
        throw SignatureVerificationException.Create(failed.Failure!.Value,
            $"{where}: no signature verified. {failed.Error} [all {Results.Count}: {all}]");
    }
}
