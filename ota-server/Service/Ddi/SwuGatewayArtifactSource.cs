using AtymSecure.Delivery.Swu;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaReleases.Offline;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// The <see cref="IDdiArtifactSource"/> for SWUpdate gateways (<see cref="SwuGatewayOptions"/>, docs/ddi.md "SWUpdate
/// gateways"): a DDI device of a gateway class gets an <c>.swu</c> wrapping the offline export of its atym agent
/// (<see cref="OfflineExportSwu"/>); any other class gets what <paramref name="others"/> gives (the signed bundle).
/// The gateway's controller id is its agent's device id (<c>swupdate -u "-i atym-…"</c>), because the offline document
/// names the devices that may install it and the agent refuses one that does not name it (<c>wrong-device</c>); a
/// controller id that is no atym device id gets no artifact. One action's .swu is built once and kept under <paramref name="folder"/>
/// (<see cref="ActionExportFiles"/>). An export the server cannot make yet (no metadata published, nothing assigned) is no artifact for now.
/// </summary>
public sealed class SwuGatewayArtifactSource(SwuGatewayOptions options, OfflineExporter exporter, IDdiArtifactSource others, string folder, TimeProvider clock)
    : IDdiArtifactSource
{
    private readonly SwuSigner _signer = SwuSigner.FromPemFiles(options.CertificateFile, options.KeyFile, clock);
    private readonly ActionExportFiles _swus = new(exporter, folder, ".swu");

    public async Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!options.DeviceClasses.Contains(request.Device.DeviceClass)) return await others.FindAsync(request, ct).ConfigureAwait(false);
        if (!DeviceKey.IsAgentDeviceId(request.Device.Id)) return null;
        return await _swus.GetAsync(request, SwuFileName(request.Container, request.Version),
            (files, path, token) => OfflineExportSwu.WriteAsync(files, request.Version, options, _signer, path, clock, token), ct).ConfigureAwait(false);
    }

    /// <summary><c>CONTAINER-VERSION.swu</c> with every character outside the DDI file-name grammar as '-'.</summary>
    public static string SwuFileName(string container, string version) =>
        SignedBundleArtifactSource.FileName(container, version)[..^".bundle".Length] + ".swu";
}
