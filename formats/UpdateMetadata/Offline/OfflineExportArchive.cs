using System.Formats.Tar;

namespace AtymSecure.Formats.UpdateMetadata.Offline;

/// <summary>
/// An offline export as one tar file (what <c>POST /api/v1/offline-exports</c> answers, what an SWUpdate gateway's
/// <c>.swu</c> carries into the agent's inbox, what a DDI artifact is): read by the CLI (<c>atym ota export-offline
/// --out DIR</c>) and by the device agent, one reader. It takes regular files only, under <c>director/</c>,
/// <c>image/</c> (two segments) or <c>bundles/CONTAINER/</c> (three), with plain name segments, at most
/// <see cref="MaxEntries"/> files of at most <see cref="MaxEntryBytes"/> each, no name twice. <see cref="Unpack"/> checks
/// every entry before it writes one, so a hostile or truncated archive leaves no half-unpacked folder and can never write
/// outside it. The archive proves nothing about the update: the folder is verified afterwards like any export.
/// </summary>
public static class OfflineExportArchive
{
    public const int MaxEntries = 4096;
    public const long MaxEntryBytes = 80L * 1024 * 1024;
    public const int MaxSegmentLength = 160;

    /// <summary>Checks every entry of <paramref name="tarFile"/> without writing; returns the number of files.</summary>
    /// <exception cref="InvalidDataException">Not a tar of the export layout (the message names the entry and the rule).</exception>
    public static int Check(string tarFile) => Walk(tarFile, null);

    /// <summary>Checks every entry, then writes them into <paramref name="folder"/> (new or empty); returns the number of files.</summary>
    /// <exception cref="InvalidDataException">Not a tar of the export layout; nothing was written.</exception>
    /// <exception cref="IOException">The folder is not empty.</exception>
    public static int Unpack(string tarFile, string folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        var count = Walk(tarFile, null);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new IOException($"{folder} is not empty: an export is unpacked into a new or empty folder");
        Walk(tarFile, Directory.CreateDirectory(folder).FullName);
        return count;
    }

    private static int Walk(string tarFile, string? folder)
    {
        ArgumentException.ThrowIfNullOrEmpty(tarFile);
        using var stream = File.OpenRead(tarFile);
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var reader = new TarReader(stream);
            while (reader.GetNextEntry() is { } entry)
            {
                if (names.Count >= MaxEntries) throw new InvalidDataException($"the export has more than {MaxEntries} files");
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new InvalidDataException($"export entry '{entry.Name}' is a {entry.EntryType}, only regular files are taken");
                if (entry.Length > MaxEntryBytes) throw new InvalidDataException($"export entry '{entry.Name}' is {entry.Length} bytes, above {MaxEntryBytes}");
                var path = SafePath(entry.Name);
                if (!names.Add(entry.Name)) throw new InvalidDataException($"export entry '{entry.Name}' appears twice");
                if (folder is null)
                {
                    // Read the data through, so a truncated archive fails here and not half-way through the writing pass.
                    entry.DataStream?.CopyTo(Stream.Null);
                    continue;
                }
                var destination = Path.Combine([folder, .. path]);
                Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
                using var output = new FileStream(destination, FileMode.CreateNew, FileAccess.Write);
                entry.DataStream?.CopyTo(output);
            }
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"the export archive is truncated: {e.Message}", e);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"the export archive is not a tar: {e.Message}", e);
        }
        catch (OverflowException e)
        {
            // TarReader reads a base-256 number field (a first byte of 0x80 or 0xFF) wider than its type by overflowing.
            throw new InvalidDataException($"the export archive has a header number out of range: {e.Message}", e);
        }
        if (names.Count == 0) throw new InvalidDataException("the export archive holds no files");
        return names.Count;
    }

    private static string[] SafePath(string name)
    {
        var segments = name.Split('/');
        var top = segments[0];
        var ok = segments.Length is 2 or 3
            && top is OfflineExportLayout.DirectorFolder or OfflineExportLayout.ImageFolder or "bundles"
            && (segments.Length == 3) == (top == "bundles")
            && segments.All(s => s.Length is > 0 and <= MaxSegmentLength && !s.StartsWith('.') && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'));
        return ok ? segments : throw new InvalidDataException($"export entry '{name}' is not a path of the export layout");
    }
}
