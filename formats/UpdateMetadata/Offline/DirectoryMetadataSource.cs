using AtymSecure.Formats.UpdateMetadata.Verification;

namespace AtymSecure.Formats.UpdateMetadata.Offline;

/// <summary>
/// One repository's metadata files in a folder (an offline export, <see cref="OfflineExportLayout"/>): the file, or
/// null when it is absent (the root walk stops there; any other missing file is <c>metadata-missing</c>). Reads at
/// most <c>maxBytes + 1</c> bytes whatever the file's size, so an oversized file costs one byte over the cap (the
/// verifier refuses it as <c>metadata-too-large</c>). Names are plain file names, never paths.
/// </summary>
public sealed class DirectoryMetadataSource(string folder) : IMetadataSource
{
    private readonly string _folder = Path.GetFullPath(folder ?? throw new ArgumentNullException(nameof(folder)));

    /// <summary>Names read, in order (tests and messages say what the device looked for).</summary>
    public List<string> Requests { get; } = [];

    public byte[]? Fetch(string name, long maxBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal) || name.StartsWith('.'))
            throw new ArgumentException($"'{name}' is not a metadata file name", nameof(name));
        Requests.Add(name);
        var path = Path.Combine(_folder, name);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        using (stream) return MetadataStreams.ReadAtMost(stream, maxBytes + 1);
    }
}
