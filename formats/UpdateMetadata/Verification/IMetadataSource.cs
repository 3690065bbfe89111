namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>
/// Where one repository's metadata files come from: the OTA server over HTTP, an offline export folder, or a test's
/// dictionary. Names are file names relative to the repository's metadata base (<c>3.root.json</c>,
/// <c>timestamp.json</c>, <c>12.snapshot.json</c>, <c>7.compiler-linux-x86_64.json</c>, director <c>targets.json</c>).
/// </summary>
public interface IMetadataSource
{
    /// <summary>
    /// The file's bytes, or null when it does not exist (HTTP 404). Read at most <paramref name="maxBytes"/> + 1 bytes,
    /// so a file over the cap is detected without reading it whole. Throw <see cref="IOException"/> (or
    /// <see cref="HttpRequestException"/>) on transport failures; the verifier reports <c>download-failed</c>.
    /// </summary>
    byte[]? Fetch(string name, long maxBytes);
}

/// <summary>The one capped read every metadata source uses.</summary>
public static class MetadataStreams
{
    /// <summary>Up to <paramref name="limit"/> bytes of <paramref name="stream"/>; never reads further, whatever the stream's length claims.</summary>
    public static byte[] ReadAtMost(Stream stream, long limit)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (buffer.Length < limit)
        {
            var n = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, limit - buffer.Length));
            if (n == 0) break;
            buffer.Write(chunk, 0, n);
        }
        return buffer.ToArray();
    }
}

/// <summary>A source over files in memory (offline bundles read into memory, tests).</summary>
public sealed class MemoryMetadataSource : IMetadataSource
{
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);

    /// <summary>Names fetched so far, in order: tests assert what a device asked for.</summary>
    public List<string> Requests { get; } = [];

    public byte[]? this[string name]
    {
        get => _files.GetValueOrDefault(name);
        set
        {
            if (value is null) _files.Remove(name);
            else _files[name] = value;
        }
    }

    public IEnumerable<string> Names => _files.Keys;

    public byte[]? Fetch(string name, long maxBytes)
    {
        Requests.Add(name);
        if (!_files.TryGetValue(name, out var bytes)) return null;
        return bytes.Length > maxBytes ? bytes[..(int)Math.Min(bytes.Length, maxBytes + 1)] : bytes;
    }
}
