using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaReleases.Offline;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// The <see cref="IDdiArtifactSource"/> for our own device agent in DDI mode (<c>atym device run --ddi</c>, docs/ddi.md
/// "What a DDI device downloads"): a controller whose id is an atym agent's device id (<c>atym-</c> and 16 hex digits,
/// <see cref="DeviceKey.IsAgentDeviceId"/>) gets the <b>offline export</b> of the
/// offered release for that one device — director root chain and an offline director document naming it, the image
/// repository's metadata, the full bundle — as one tar, <c>CONTAINER-VERSION.export.tar</c> (the same bytes
/// <c>atym ota export-offline --out X.tar</c> writes). The agent verifies it exactly as an update over our own protocol:
/// metadata first against the roots it was provisioned with, then the bundle through its signed length and hash
/// (docs/trust-model.md §3); DDI's hashes are transfer checks only. Any other controller id (a hawkBit client of
/// another kind, e.g. <c>gw-1</c>) gets what <paramref name="others"/> gives (the signed bundle).
/// <para>
/// One action's export is made once and kept as <c>FOLDER/HASH.tar</c>, written whole before it is renamed into place
/// (<see cref="ActionExportFiles"/>). An export the server cannot make yet (metadata not published, nothing assigned) is
/// no artifact for now.
/// </para>
/// </summary>
public sealed class OfflineExportArtifactSource(OfflineExporter exporter, IDdiArtifactSource others, string folder) : IDdiArtifactSource
{
    public const string Extension = ".export.tar";

    private readonly ActionExportFiles _exports = new(exporter, folder, ".tar");

    public async Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!DeviceKey.IsAgentDeviceId(request.Device.Id)) return await others.FindAsync(request, ct).ConfigureAwait(false);
        return await _exports.GetAsync(request, FileName(request.Container, request.Version),
            (files, path, token) => AtomicFile.WriteAsync(path, (stream, t) => OfflineExporter.WriteTarAsync(files, stream, t), cancellationToken: token), ct).ConfigureAwait(false);
    }

    /// <summary><c>CONTAINER-VERSION.export.tar</c> with every character outside the DDI file-name grammar as '-'.</summary>
    public static string FileName(string container, string version) =>
        SignedBundleArtifactSource.FileName(container, version)[..^".bundle".Length] + Extension;
}
