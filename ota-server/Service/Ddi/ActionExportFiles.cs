using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Offline;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// Files made from one DDI action's offline export (the export tar itself, or an <c>.swu</c> around it), each made once
/// and kept as <c>FOLDER/HASH.EXT</c>, HASH over (device, deployment, release, version). A fresh export is signed anew
/// with a new offline version, so two exports of one action would differ: keeping the first makes every deploymentBase
/// answer, every download and every resumed download after a server restart see the same bytes and hashes. Built one at a
/// time (exports sign with the online keys); the write callback must write the file whole before it appears under its
/// name (<c>AtomicFile</c>), since a kept file is trusted as made.
/// </summary>
internal sealed class ActionExportFiles(OfflineExporter exporter, string folder, string extension)
{
    public delegate Task WriteFile(IReadOnlyList<OfflineExportFile> export, string path, CancellationToken ct);

    private readonly ConcurrentDictionary<string, DdiArtifactFile> _built = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>The action's file named <paramref name="fileName"/> for the device, or null when the server cannot export
    /// it yet (metadata not published, nothing assigned): the deployment base lists no artifact for now.</summary>
    public async Task<DdiArtifactFile?> GetAsync(DdiArtifactRequest request, string fileName, WriteFile write, CancellationToken ct)
    {
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{request.Device.Id}\n{request.DeploymentId}\n{request.ReleaseId}\n{request.Version}")));
        if (_built.TryGetValue(key, out var known)) return known;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_built.TryGetValue(key, out known)) return known;
            var path = Path.Combine(Directory.CreateDirectory(folder).FullName, key + extension);
            if (!File.Exists(path))
            {
                IReadOnlyList<OfflineExportFile> files;
                try
                {
                    files = await exporter.ExportAsync(new OfflineExportRequest(new([request.Device.Id]), OfflineDirectorCustom.DefaultLifetime), ct).ConfigureAwait(false);
                }
                catch (OtaProblemException)
                {
                    return null;
                }
                await write(files, path, ct).ConfigureAwait(false);
            }
#pragma warning disable CA5351, CA5350 // DDI lists MD5 and SHA-1 for transfer checks; the agent verifies the export's signed metadata (and SWUpdate the .swu's CMS signature)
            var (length, hex) = await DdiArtifactHashes.OfFileAsync(path, [HashAlgorithmName.SHA256, HashAlgorithmName.SHA1, HashAlgorithmName.MD5], ct).ConfigureAwait(false);
#pragma warning restore CA5351, CA5350
            var file = new DdiArtifactFile(fileName, path, length, hex[0], hex[1], hex[2]);
            _built[key] = file;
            return file;
        }
        finally
        {
            _gate.Release();
        }
    }
}
