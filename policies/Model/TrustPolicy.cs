using AtymSecure.Primitives;

namespace AtymSecure.Policies.Model;

/// <summary>What a trust rule does when a release fails it: refuse, let it through and say so, or not check at all.</summary>
public enum TrustLevel
{
    Enforce,
    Audit,
    Skip,
}

/// <summary>A public key the trust policy names: <see cref="SpkiSha256"/> is the lower-case hex SHA-256 of its DER SubjectPublicKeyInfo.</summary>
public sealed record TrustKey(string Name, string SpkiSha256, SourcePosition At);

/// <summary>
/// Releases from repositories in <see cref="Scope"/> need <see cref="Threshold"/> distinct signatures by
/// <see cref="Keys"/> and every attestation in <see cref="Attestations"/>. The most specific scope covering a
/// repository decides alone (<see cref="RepositoryScope"/>), so the order of rules means nothing.
/// </summary>
public sealed record TrustRule(
    string Name,
    RepositoryScope Scope,
    EquatableList<string> Keys,
    int Threshold,
    EquatableList<string> Attestations,
    TrustLevel Level,
    SourcePosition At);

/// <summary>A <c>kind: TrustPolicy</c> file (docs/schemas/trust-policy.v1.schema.json).</summary>
public sealed record TrustPolicy(string Name, EquatableList<TrustKey> Keys, EquatableList<TrustRule> Rules, string File);

/// <summary>The attestations a trust rule may require: what <c>atym attest</c> produces.</summary>
public static class AttestationKinds
{
    public const string SlsaProvenance = "slsa-provenance";
    public const string Sbom = "sbom";

    public static readonly IReadOnlyList<string> All = [SlsaProvenance, Sbom];
}
