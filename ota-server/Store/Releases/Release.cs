using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.OtaStore;

/// <summary>
/// A container version the server has imported: resolved to one manifest digest, verified against the trusted vendor
/// keys, compiled for the fleet's classes and recorded with an explicit security counter (docs/trust-model.md §7).
/// Written by the releases library (ota-server/Releases, ReleaseImporter). Immutable once recorded: a release never changes, a new counter or new code is a new release.
/// </summary>
/// <param name="Id">Stable id derived from the manifest digest (<see cref="IdFor(string)"/>): importing the same digest twice gives the same release;
/// a re-release of the same code at a higher counter has an id of its own (<see cref="IdFor(string, ulong)"/>).</param>
/// <param name="Container">Container name from the config.</param>
/// <param name="Version">SemVer from the config.</param>
/// <param name="Repository">Where the container lives: <c>registry-host/repository</c>.</param>
/// <param name="ManifestDigest">The container manifest the signature check verified (<c>sha256:hex</c>).</param>
/// <param name="SourceWasmDigest">The module's digest, which the vendor lists (trust-model §3 step 10).</param>
/// <param name="SecurityCounter">The counter every image and bundle of this release carries.</param>
/// <param name="Security">Whether this release was marked a security fix (it raised the counter).</param>
/// <param name="ImportedAt">When it was recorded; also every bundle's <c>created</c> field, so cuts are deterministic.</param>
/// <param name="BundleExpires">Every bundle's expiry; from the release, never the cutting clock.</param>
/// <param name="Images">One installable image per class that compiled.</param>
/// <param name="Failures">The classes that did not compile, and why.</param>
/// <param name="PolicyFacts">What import's signature check found and what the policies decide a release on, recorded at every
/// import (the import's decision only when the server enforces policies); null for a release recorded before these facts
/// were kept, which satisfies no trust rule that needs a signature.</param>
public sealed record Release(
    string Id,
    string Container,
    string Version,
    string Repository,
    string ManifestDigest,
    string SourceWasmDigest,
    ulong SecurityCounter,
    bool Security,
    DateTimeOffset ImportedAt,
    DateTimeOffset BundleExpires,
    EquatableList<ReleaseImage> Images,
    EquatableList<ReleaseClassFailure> Failures,
    ReleasePolicyFacts? PolicyFacts = null)
{
    /// <summary><c>rel-</c> + 16 hex of SHA-256 over the manifest digest: the same digest is the same release.</summary>
    public static string IdFor(string manifestDigest)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestDigest);
        return "rel-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifestDigest)))[..16];
    }

    /// <summary>The id of a re-release of <paramref name="manifestDigest"/>'s code at <paramref name="securityCounter"/> (an operator
    /// rollback, docs/trust-model.md §7): one per (code, counter), never the id of the code's first release.</summary>
    public static string IdFor(string manifestDigest, ulong securityCounter) => IdFor($"{manifestDigest}\nsecurity-counter {securityCounter}");

    /// <summary>The image for <paramref name="deviceClass"/>, or null when the class was not compiled (or failed).</summary>
    public ReleaseImage? ImageFor(string deviceClass) => Images.FirstOrDefault(i => i.DeviceClass == deviceClass);
}

/// <summary>
/// The installable image of a release for one device class, built at import with the container's own permissions as
/// grants (a direct assignment grants exactly those).
/// </summary>
/// <param name="ImageDigest">SHA-256 of the slot image (<c>sha256:hex</c>) — what the device ends up holding.</param>
/// <param name="ImageLength">Its length in bytes.</param>
/// <param name="CodeKind">The code kind inside the image.</param>
/// <param name="Grants">The capabilities the image grants, in the config's order (empty for a raw wasm2c object).</param>
/// <param name="OutputDigest">The compiled output's digest.</param>
/// <param name="OutputReferrer">The compiled-output referrer manifest in the registry, signed by the compiler key.</param>
public sealed record ReleaseImage(
    string DeviceClass,
    string ImageDigest,
    ulong ImageLength,
    ArtifactKind CodeKind,
    EquatableList<string> Grants,
    string OutputDigest,
    string OutputReferrer)
{
    /// <summary>The hex part of <see cref="ImageDigest"/>.</summary>
    public string ImageSha256 => Digest.Parse(ImageDigest).Encoded;
}

/// <summary>A device class the release could not be compiled for: <paramref name="Code"/> is stable, <paramref name="Message"/> for people.</summary>
public sealed record ReleaseClassFailure(string DeviceClass, string Code, string Message);

/// <summary>
/// What import verified about a release, kept so that deployments and waves decide with the serving policy set later
/// (policies/Evaluation/ReleaseDescriptor): the keys whose signatures verified (hex SHA-256 of each DER
/// SubjectPublicKeyInfo), the attestations that verified (<c>slsa-provenance</c>, <c>sbom</c>), what the container config
/// asks for (capabilities as the config writes them, memory, CPU budget), and the import's decision (rule and policy set digest).
/// The signature part is recorded at every import (the dashboard's releases page shows it); the decision part only when
/// the server enforced policies at import, else both are null.
/// </summary>
public sealed record ReleasePolicyFacts(
    EquatableList<string> Signers,
    EquatableList<string> Attestations,
    EquatableList<string> Permissions,
    long? MaxMemoryBytes,
    int? CpuBudgetMs,
    string? ImportRule = null,
    string? ImportPolicySet = null);
