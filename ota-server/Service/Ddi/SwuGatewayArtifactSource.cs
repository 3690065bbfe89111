using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Delivery.Swu;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaContracts;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaReleases.Offline;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// The <see cref="IDdiArtifactSource"/> for SWUpdate gateways (<see cref="SwuGatewayOptions"/>, docs/ddi.md "SWUpdate
/// gateways"): a DDI device of a gateway class gets an <c>.swu</c> wrapping the offline export of its atym agent
/// (<see cref="OfflineExportSwu"/>); any other class gets what <paramref name="others"/> gives (the signed bundle).
/// The gateway's controller id is its agent's device id (<c>swupdate -u "-i atym-…"</c>), because the offline document
/// names the devices that may install it and the agent refuses one that does not name it (<c>wrong-device</c>); a
/// controller id that is no atym device id gets no artifact. One action's .swu is built once and kept as a file under
/// <paramref name="folder"/> named by the hash of (device, deployment, release), so every deploymentBase answer, every
/// download and every resumed download after a restart see the same bytes and hashes (a fresh export would be signed
/// anew). An export the server cannot make yet (no metadata published, nothing assigned) is no artifact for now.
/// </summary>
public sealed class SwuGatewayArtifactSource(SwuGatewayOptions options, OfflineExporter exporter, IDdiArtifactSource others, string folder, TimeProvider clock)
    : IDdiArtifactSource
{
    private readonly SwuSigner _signer = SwuSigner.FromPemFiles(options.CertificateFile, options.KeyFile, clock);
    private readonly ConcurrentDictionary<string, DdiArtifactFile> _built = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!options.DeviceClasses.Contains(request.Device.DeviceClass)) return await others.FindAsync(request, ct).ConfigureAwait(false);
        if (!DirectorIds.IsDeviceId(request.Device.Id)) return null;
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{request.Device.Id}\n{request.DeploymentId}\n{request.ReleaseId}\n{request.Version}")));
        if (_built.TryGetValue(key, out var known)) return known;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_built.TryGetValue(key, out known)) return known;
            var path = Path.Combine(Directory.CreateDirectory(folder).FullName, key + ".swu");
            if (!File.Exists(path))
            {
                IReadOnlyList<OfflineExportFile> files;
                try
                {
                    files = await exporter.ExportAsync(new OfflineExportRequest(new([request.Device.Id]), OfflineDirectorCustom.DefaultLifetime), ct).ConfigureAwait(false);
                }
                catch (OtaProblemException)
                {
                    return null; // not exportable now (not ready, nothing assigned): the deployment base lists no artifact yet
                }
                await OfflineExportSwu.WriteAsync(files, request.Version, options, _signer, path, clock, ct).ConfigureAwait(false);
            }
            var file = await DescribeAsync(path, SwuFileName(request.Container, request.Version), ct).ConfigureAwait(false);
            _built[key] = file;
            return file;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary><c>CONTAINER-VERSION.swu</c> with every character outside the DDI file-name grammar as '-'.</summary>
    public static string SwuFileName(string container, string version) =>
        SignedBundleArtifactSource.FileName(container, version)[..^".bundle".Length] + ".swu";

    private static async Task<DdiArtifactFile> DescribeAsync(string path, string name, CancellationToken ct)
    {
#pragma warning disable CA5351, CA5350 // DDI lists MD5 and SHA-1; SWUpdate checks the CMS signature and the agent verifies the export
        var (length, hex) = await DdiArtifactHashes.OfFileAsync(path, [HashAlgorithmName.SHA256, HashAlgorithmName.SHA1, HashAlgorithmName.MD5], ct).ConfigureAwait(false);
#pragma warning restore CA5351, CA5350
        return new DdiArtifactFile(name, path, length, hex[0], hex[1], hex[2]);
    }
}
