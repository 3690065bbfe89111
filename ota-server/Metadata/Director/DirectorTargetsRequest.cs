using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Director;

/// <summary>
/// One container the director assigns to a device: the release (the must-match fields), the bundle to download
/// (sha256 hex, length; its target path and download path is <see cref="Path"/>), the container image it yields, and
/// the install window outside which the device holds the downloaded bundle (null: install at once).
/// </summary>
public sealed record DirectorBundleTarget(ReleaseIdentity Release, string BundleSha256, long BundleLength, ImageReference Image, InstallWindow? Window = null)
{
    /// <summary><c>bundles/CONTAINER/SHA256.bundle</c>: the director target path the device checks (docs/update-metadata.md §3).</summary>
    public string Path => TargetPaths.Bundle(Release.Container, BundleSha256);
}

/// <summary>
/// What the director should tell one device now: its id and class, the nonce of its last accepted version report,
/// and per container the bundle and image (the desired state the planner computed). Empty <see cref="Targets"/>
/// is a valid answer: nothing assigned.
/// </summary>
public sealed record DirectorTargetsRequest(string DeviceId, string DeviceClass, string Nonce, EquatableList<DirectorBundleTarget> Targets);

/// <summary>
/// What an offline export's director document says (docs/trust-model.md §6): the devices it is for (one class), what
/// each of them runs, and how long it lives (default 30 d, at most 90 d).
/// </summary>
public sealed record OfflineDirectorRequest(string DeviceClass, EquatableList<string> Devices, EquatableList<DirectorBundleTarget> Targets, TimeSpan Lifetime);

/// <summary>
/// The director's answer for a device: the signed <c>targets.json</c> bytes to serve, its version and expiry, and
/// whether this call signed a new version (false: the stored document still says the same and has life left).
/// </summary>
public sealed record DirectorAnswer(SignedMetadata<TargetsMetadata> Document, bool NewlySigned)
{
    public long Version => Document.Signed.Version;

    public DateTimeOffset Expires => Document.Signed.Expires;

    public byte[] ToBytes() => Document.ToBytes();

    /// <summary>A strong ETag over the bytes (quoted sha256 hex), for If-None-Match on polls.</summary>
    public string ETag => $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Document.FileBytes))}\"";
}
