using AtymSecure.Policies.Keys;
using AtymSecure.Formats.Crypto;
using AtymSecure.Policies.Model;
using AtymSecure.Primitives;
using AtymSecure.Registry.Storage;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;

namespace AtymSecure.RegistryPolicy;

/// <summary>
/// What verified about a manifest under a given set of keys: the keys (trust-policy fingerprints) whose signatures
/// verified, the attestation kinds whose signed statements verified, and how many attached bundles did not verify
/// (signed by another key, or broken). Only the keys passed in can count: the guard passes the keys the deciding rule
/// trusts, so a signature by any other key, however valid, counts for nothing.
/// </summary>
public sealed record AttachedEvidence(EquatableList<string> Signers, EquatableList<string> Attestations, int Unverified)
{
    public static AttachedEvidence None { get; } = new([], [], 0);

    /// <summary>Reads the Sigstore bundles (referrers, and the legacy cosign <c>.sig</c> tag) attached to <paramref name="manifest"/>.</summary>
    public static async Task<AttachedEvidence> ReadAsync(RepositoryContentView content, Digest manifest, IReadOnlyList<VerificationKey> keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(keys);
        if (keys.Count == 0) return None;
        var report = await ArtifactVerifier.VerifyAsync(content, manifest.ToString(), new TrustedKeys(keys), cancellationToken: ct).ConfigureAwait(false);
        var fingerprints = keys.ToDictionary(k => k.KeyId, PolicyKeyFolder.FingerprintOf, StringComparer.Ordinal);
        var signers = new SortedSet<string>(StringComparer.Ordinal);
        var attestations = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var verified in report.Results.Select(r => r.Verified).OfType<VerifiedBundle>())
        {
            if (IsSignature(verified)) signers.Add(fingerprints[verified.KeyId]);
            else if (AttestationKindOf(verified.PredicateType) is { } kind) attestations.Add(kind);
        }
        return new AttachedEvidence([.. signers], [.. attestations], report.Results.Count(r => !r.IsVerified));
    }

    /// <summary><c>atym sign</c>'s statement, a message signature, or a legacy cosign signature; attestations are not signatures.</summary>
    private static bool IsSignature(VerifiedBundle bundle) =>
        bundle.Content is BundleContent.MessageSignature or BundleContent.LegacyCosignSignature
        || bundle.PredicateType == Statements.CosignSignPredicateType;

    /// <summary>The trust policy's attestation kinds (<see cref="AttestationKinds"/>) as <c>atym attest</c> writes them.</summary>
    private static string? AttestationKindOf(string? predicateType) => predicateType switch
    {
        SlsaProvenance.PredicateType => AttestationKinds.SlsaProvenance,
        CycloneDxBom.PredicateType => AttestationKinds.Sbom,
        _ => null,
    };
}
