using System.CommandLine;
using System.Formats.Tar;
using AtymSecure.Formats.UpdateMetadata.Offline;

namespace AtymSecure.Cli.Ota;

/// <summary>
/// <c>atym ota export-offline --device ID [--device ID …] --out DIR|FILE.tar [--lifetime-days N]</c>: thin over
/// <c>POST /api/v1/offline-exports</c>. The server answers a tar of the export folder (docs/update-metadata.md §9);
/// <c>--out X.tar</c> keeps it as it is (DDI/SWUpdate delivery), any other <c>--out</c> is a new or empty folder the
/// tar is unpacked into for <c>atym device install --metadata DIR</c>. Unpacking takes regular files only, under
/// <c>director/</c>, <c>image/</c> or <c>bundles/</c>, with plain name segments and bounded sizes, so a hostile
/// answer cannot write outside the folder.
/// </summary>
internal static class OfflineExportVerb
{
    private const int MaxEntries = 4096;
    private const long MaxEntryBytes = 80L * 1024 * 1024;

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
                var count = Unpack(temp, null);
                if (asTar) File.Move(temp, target, overwrite: false);
                else Unpack(temp, Directory.CreateDirectory(target).FullName);
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

    /// <summary>Checks every entry of the tar and, with a <paramref name="folder"/>, writes it there; returns the number of files.</summary>
    internal static int Unpack(string tarFile, string? folder)
    {
        using var stream = File.OpenRead(tarFile);
        using var reader = new TarReader(stream);
        var count = 0;
        while (reader.GetNextEntry() is { } entry)
        {
            if (++count > MaxEntries) throw new InvalidDataException($"the export has more than {MaxEntries} files");
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                throw new InvalidDataException($"export entry '{entry.Name}' is a {entry.EntryType}, only regular files are taken");
            if (entry.Length > MaxEntryBytes) throw new InvalidDataException($"export entry '{entry.Name}' is {entry.Length} bytes, above {MaxEntryBytes}");
            var path = SafePath(entry.Name);
            if (folder is null) continue;
            var destination = Path.Combine([folder, .. path]);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write);
            entry.DataStream?.CopyTo(output);
        }
        return count;
    }

    private static string[] SafePath(string name)
    {
        var segments = name.Split('/');
        var top = segments[0];
        var ok = segments.Length is 2 or 3
            && top is OfflineExportLayout.DirectorFolder or OfflineExportLayout.ImageFolder or "bundles"
            && (segments.Length == 3) == (top == "bundles")
            && segments.All(s => s.Length is > 0 and <= 160 && !s.StartsWith('.') && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'));
        return ok ? segments : throw new InvalidDataException($"export entry '{name}' is not a path of the export layout");
    }
}
