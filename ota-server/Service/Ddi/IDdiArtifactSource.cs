using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>What a DDI device is to download for one action: the device (its class decides), the container and release offered.</summary>
public sealed record DdiArtifactRequest(DeviceRecord Device, string Container, string ReleaseId, string Version, string DeploymentId);

/// <summary>One file a DDI device downloads: the name it sees, where its bytes are (a local file at <see cref="Path"/>, or
/// <see cref="Open"/> for bytes in the bundle store, which may be an object store), and its length and hashes (lowercase hex).</summary>
public sealed record DdiArtifactFile(string FileName, string? Path, long Length, string Sha256, string Sha1, string Md5)
{
    /// <summary>Opens the bytes when they are not a local file: a stream positionable before its first read (for <c>Range</c>), or null when gone.</summary>
    public Func<CancellationToken, Task<Stream?>>? Open { get; init; }
}

/// <summary>
/// The seam that picks the artifact a DDI device gets, per device class: today our signed bundle for the class
/// (<see cref="SignedBundleArtifactSource"/>, for devices whose DDI client hands it to the atym agent); an <c>.swu</c>
/// builder that wraps the offline export for SWUpdate gateways plugs in here (registered in DI by the host's
/// configure hook: the last registration wins over the default). Null: nothing to download for this device now (the
/// deployment base then lists no artifacts).
/// </summary>
public interface IDdiArtifactSource
{
    Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default);
}
