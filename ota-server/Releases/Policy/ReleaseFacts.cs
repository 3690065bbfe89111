using AtymSecure.Formats.Container;
using AtymSecure.OtaStore;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;
using AtymSecure.Primitives;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;

namespace AtymSecure.OtaReleases.Policy;

/// <summary>
/// Maps what release import verified to what the policies decide on (<see cref="ReleaseDescriptor"/>): the signatures
/// that verified under the server's vendor keys become signers by SPKI SHA-256 (the trust policy's key identity), the
/// verified in-toto attestations become attestation kinds by predicate type, and the container config gives the
/// permissions and limits. Stored with the release (<see cref="ReleasePolicyFacts"/>) so later decisions reuse them.
/// </summary>
public static class ReleaseFacts
{
    public static ReleaseDescriptor Describe(string repository, ContainerConfig config, ArtifactVerificationReport verification)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(verification);
        var verified = verification.Results.Where(r => r.IsVerified).Select(r => r.Verified!).ToList();
        var signers = verified.Select(v => Convert.ToHexStringLower(Convert.FromBase64String(v.KeyId))).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        var attestations = verified.Select(v => AttestationKind(v.PredicateType)).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        return new ReleaseDescriptor(repository, config.Name.ToString(), config.Version ?? SemanticVersion.Parse("0.0.0"), [.. signers], [.. attestations],
            [.. config.Permissions], config.Resources.MaxMemoryBytes, config.Resources.CpuBudgetMs);
    }

    /// <summary>The facts to store with the release, with the import's decision (null: imported without policies).</summary>
    public static ReleasePolicyFacts ToStored(ReleaseDescriptor release, Decision? decision)
    {
        ArgumentNullException.ThrowIfNull(release);
        return new ReleasePolicyFacts(release.Signers, release.Attestations, [.. release.Permissions.Select(p => p.ToString())], release.MaxMemoryBytes,
            release.CpuBudgetMs, decision?.Rule, decision?.PolicySet.ToString());
    }

    /// <summary>A stored release as the policies see it; one recorded before its facts were kept has no signers or attestations (trust refuses it where a rule needs them).</summary>
    public static ReleaseDescriptor FromStored(Release release)
    {
        ArgumentNullException.ThrowIfNull(release);
        var facts = release.PolicyFacts;
        return new ReleaseDescriptor(release.Repository, release.Container, SemanticVersion.Parse(release.Version),
            facts?.Signers ?? [], facts?.Attestations ?? [], [.. (facts?.Permissions ?? []).Select(Capability.Parse)], facts?.MaxMemoryBytes, facts?.CpuBudgetMs);
    }

    private static string? AttestationKind(string? predicateType) => predicateType switch
    {
        SlsaProvenance.PredicateType => AttestationKinds.SlsaProvenance,
        CycloneDxBom.PredicateType => AttestationKinds.Sbom,
        _ => null,
    };
}
