using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.OtaContracts;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaReleases.Offline;
using AtymSecure.Formats.UpdateMetadata.Model;
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
/// One action's export is made once and kept as <c>FOLDER/HASH.tar</c> (hash of device, deployment, release,
/// version), written whole before it is renamed into place: every deploymentBase answer, every download and every
/// resumed download after a server restart see the same bytes and hashes (a fresh export is signed anew with a new
/// offline version, so two exports of one action would differ). An export the server cannot make yet (metadata not
/// published, nothing assigned) is no artifact for now.
/// </para>
/// </summary>
public sealed class OfflineExportArtifactSource(OfflineExporter exporter, IDdiArtifactSource others, string folder) : IDdiArtifactSource
{
    public const string Extension = ".export.tar";

    private readonly ConcurrentDictionary<string, DdiArtifactFile> _built = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!DeviceKey.IsAgentDeviceId(request.Device.Id)) return await others.FindAsync(request, ct).ConfigureAwait(false);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{request.Device.Id}\n{request.DeploymentId}\n{request.ReleaseId}\n{request.Version}")));
        if (_built.TryGetValue(key, out var known)) return known;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_built.TryGetValue(key, out known)) return known;
            var path = Path.Combine(Directory.CreateDirectory(folder).FullName, key + ".tar");
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
                await AtomicFile.WriteAsync(path, (stream, token) => OfflineExporter.WriteTarAsync(files, stream, token), cancellationToken: ct).ConfigureAwait(false);
            }
            var file = await DescribeAsync(path, FileName(request.Container, request.Version), ct).ConfigureAwait(false);
            _built[key] = file;
            return file;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary><c>CONTAINER-VERSION.export.tar</c> with every character outside the DDI file-name grammar as '-'.</summary>
    public static string FileName(string container, string version) =>
        SignedBundleArtifactSource.FileName(container, version)[..^".bundle".Length] + Extension;

    private static async Task<DdiArtifactFile> DescribeAsync(string path, string name, CancellationToken ct)
    {
#pragma warning disable CA5351, CA5350 // DDI lists MD5 and SHA-1 for transfer checks; the agent verifies the export's signed metadata
        var (length, hex) = await DdiArtifactHashes.OfFileAsync(path, [HashAlgorithmName.SHA256, HashAlgorithmName.SHA1, HashAlgorithmName.MD5], ct).ConfigureAwait(false);
#pragma warning restore CA5351, CA5350
        return new DdiArtifactFile(name, path, length, hex[0], hex[1], hex[2]);
    }
}
