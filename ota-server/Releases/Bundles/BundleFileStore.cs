using System.Text.Json;
using AtymSecure.Delivery.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Bundles;

/// <summary>
/// Cut bundles in the data folder, content-addressed: <c>bundles/sha256/HEX.bundle</c>, each written once through
/// <see cref="AtomicFile"/> (a kill -9 mid-write leaves at most a temporary file, removed at the next start, never a
/// half bundle under its name), and <c>bundles/cuts/KEYID.json</c>, the index from a <see cref="BundleCutKey"/> to the
/// bundle it gave, written after the bundle. A bundle file is never changed: its name is its hash.
/// </summary>
public sealed class BundleFileStore
{
    /// <summary>Largest index entry read (they are ~100 bytes).</summary>
    private const int MaxIndexBytes = 4096;

    private readonly string _bundles;
    private readonly string _cuts;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _deltas = new(StringComparer.Ordinal);

    /// <param name="root">The bundle folder (<c>DATA/bundles</c>); created, and cleared of temporary files a crash left.</param>
    public BundleFileStore(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        _bundles = Directory.CreateDirectory(Path.Combine(Root, "sha256")).FullName;
        _cuts = Directory.CreateDirectory(Path.Combine(Root, "cuts")).FullName;
        foreach (var folder in new[] { _bundles, _cuts })
            foreach (var stale in Directory.EnumerateFiles(folder, AtomicFile.TemporaryFilePattern))
                File.Delete(stale);
        foreach (var entry in Directory.EnumerateFiles(_cuts, "*.json"))
            if (ReadIndex(entry) is { } known) _deltas[known.Sha256] = known.IsDelta;
    }

    public string Root { get; }

    /// <summary>The file of the bundle with SHA-256 <paramref name="sha256Hex"/> (64 lower-case hex), or null when absent or not a valid name.</summary>
    public FileInfo? Find(string sha256Hex)
    {
        if (!IsSha256Hex(sha256Hex)) return null;
        var file = new FileInfo(Path.Combine(_bundles, sha256Hex + ".bundle"));
        return file.Exists ? file : null;
    }

    /// <summary>Writes the bundle under its hash (once; an existing file with that name already holds these bytes).</summary>
    public async Task<BundleLocation> StoreAsync(SignedBundle bundle, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var bytes = await bundle.ToArrayAsync(ct).ConfigureAwait(false);
        var hex = Digest.Compute(bytes).Encoded;
        var path = Path.Combine(_bundles, hex + ".bundle");
        if (!File.Exists(path))
        {
            try
            {
                await AtomicFile.WriteAsync(path, bytes, new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew }, ct).ConfigureAwait(false);
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another writer put the same bytes there first.
            }
        }
        var location = new BundleLocation(hex, (ulong)bytes.Length, bundle.Header.PayloadKind == Formats.Bundle.PayloadKind.Delta);
        _deltas[hex] = location.IsDelta;
        return location;
    }

    /// <summary>The bundle an earlier cut of <paramref name="key"/> gave, when its index entry and its file are both intact.</summary>
    public BundleLocation? FindCut(BundleCutKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ReadIndex(Path.Combine(_cuts, key.Id + ".json"));
    }

    /// <summary>Whether the stored bundle is a delta (for the served-bytes metric), or null when the store did not cut it.</summary>
    public bool? IsDelta(string sha256Hex) => _deltas.TryGetValue(sha256Hex, out var delta) ? delta : null;

    private BundleLocation? ReadIndex(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxIndexBytes) return null;
            var entry = JsonSerializer.Deserialize<BundleLocation>(File.ReadAllBytes(path), IndexJson);
            return entry is not null && Find(entry.Sha256) is { } file && (ulong)file.Length == entry.Length ? entry : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null; // a damaged entry costs one cut again
        }
    }

    /// <summary>Records that <paramref name="key"/> gave <paramref name="bundle"/> (after the bundle file is in place).</summary>
    public Task RecordCutAsync(BundleCutKey key, BundleLocation bundle, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(bundle);
        return AtomicFile.WriteAsync(Path.Combine(_cuts, key.Id + ".json"), JsonSerializer.SerializeToUtf8Bytes(bundle, IndexJson), cancellationToken: ct);
    }

    public static bool IsSha256Hex(string? text) =>
        text is { Length: 64 } && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');

    private static readonly JsonSerializerOptions IndexJson = new(JsonSerializerDefaults.Web);
}
