using System.CommandLine;
using AtymSecure.Formats.UpdateMetadata.Offline;

namespace AtymSecure.Cli.Ota;

/// <summary>
/// <c>atym ota export-offline --device ID [--device ID …] --out DIR|FILE.tar [--lifetime-days N]</c>: thin over
/// <c>POST /api/v1/offline-exports</c>. The server answers a tar of the export folder (docs/update-metadata.md §9);
/// <c>--out X.tar</c> keeps it as it is (DDI/SWUpdate delivery), any other <c>--out</c> is a new or empty folder the
/// tar is unpacked into for <c>atym device install --metadata DIR</c>. Either way the tar is checked by
/// <see cref="OfflineExportArchive"/> (regular files of the export layout, bounded sizes), so a hostile answer cannot
/// write outside the folder.
/// </summary>
internal static class OfflineExportVerb
{
    public static Command Create()
    {
        var devices = new Option<string[]>("--device") { Description = "A device to export for (repeatable; all of one class)", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Export folder (new or empty), or a .tar file", Required = true };
        var lifetime = new Option<int?>("--lifetime-days") { Description = "Life of the offline director document (default 30, at most 90)" };
        var command = new Command("export-offline", "Export bundles with their signed metadata for devices without a network (air-gapped sites, factory lines)")
        {
            devices, output, lifetime,
        };
        OtaOptions.Add(command);
        command.SetAction(async (result, ct) =>
        {
            var target = result.GetValue(output)!;
            var asTar = target.EndsWith(".tar", StringComparison.OrdinalIgnoreCase);
            if (!asTar && Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
                throw new IOException($"--out {target} is not empty: an export goes into a new or empty folder");
            using var client = OtaOptions.Client(result);
            var body = new { devices = result.GetValue(devices), lifetimeDays = result.GetValue(lifetime) };
            var temp = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(target))!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.part");
            try
            {
                await using (var file = File.Create(temp))
                    await client.DownloadAsync(HttpMethod.Post, "api/v1/offline-exports", body, file, ct).ConfigureAwait(false);
                // Every entry is checked before anything is written, so a refused answer leaves no half-unpacked folder.
                var count = asTar ? OfflineExportArchive.Check(temp) : OfflineExportArchive.Unpack(temp, target);
                if (asTar) File.Move(temp, target, overwrite: false);
                Console.Out.WriteLine($"exported {count} files for {string.Join(", ", result.GetValue(devices)!)} to {target}");
            }
            finally
            {
                File.Delete(temp);
            }
            return 0;
        });
        return command;
    }
}
