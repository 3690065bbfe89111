using AtymSecure.Delivery.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Bundles;

/// <summary>
/// Cut bundles in the data folder, content-addressed: <c>bundles/sha256/HEX.bundle</c>, each written once through
/// <see cref="AtomicFile"/> (a kill -9 mid-write leaves at most a temporary file, removed at the next start, never a
/// half bundle under its name), and <c>bundles/cuts/KEYID.json</c>, the index from a <see cref="BundleCutKey"/> to the
/// bundle it gave (with the key itself, so the cuts of a release can be listed: <see cref="CutsFor"/>), written after the
/// bundle. A bundle file is never changed: its name is its hash. The default <see cref="IBundleStore"/> (one process, or
/// replicas on a shared folder); <see cref="S3BundleStore"/> keeps the same layout in an object store.
/// </summary>
public sealed class BundleFileStore : IBundleStore
{
    private readonly string _bundles;
    private readonly string _cuts;
    /// <summary>Most cuts <see cref="CutsFor"/> returns for one release (a page shows them; classes × bases stay far below).</summary>
    public const int MaxListedCuts = 200;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _deltas = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<BundleCutKey, BundleLocation> _cutsByKey = new();

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
        foreach (var path in Directory.EnumerateFiles(_cuts, "*.json"))
            if (ReadEntry(path) is { } entry)
            {
                _deltas[entry.Bundle.Sha256] = entry.Bundle.IsDelta;
                if (entry.Key is { } key) _cutsByKey[key] = entry.Bundle;
            }
    }

    public string Root { get; }

    public string Description => Root;

    /// <summary>The file of the bundle with SHA-256 <paramref name="sha256Hex"/> (64 lower-case hex), or null when absent or not a valid name.</summary>
    public FileInfo? Find(string sha256Hex)
    {
        if (!IsSha256Hex(sha256Hex)) return null;
        var file = new FileInfo(Path.Combine(_bundles, sha256Hex + ".bundle"));
        return file.Exists ? file : null;
    }

    public Task<long?> FindAsync(string sha256Hex, CancellationToken ct = default) => Task.FromResult(Find(sha256Hex)?.Length);

    public Task<Stream?> OpenReadAsync(string sha256Hex, CancellationToken ct = default)
    {
        if (Find(sha256Hex) is not { } file) return Task.FromResult<Stream?>(null);
        try
        {
            var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous);
            return Task.FromResult<Stream?>(new CheckedBundleStream(stream, sha256Hex, stream.Length));
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    public Task<BundleLocation?> FindCutAsync(BundleCutKey key, CancellationToken ct = default) => Task.FromResult(FindCut(key));

    public Task<IReadOnlyList<RecordedCut>> CutsForAsync(string targetReleaseId, CancellationToken ct = default) => Task.FromResult(CutsFor(targetReleaseId));

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
        return ReadEntry(Path.Combine(_cuts, key.Id + ".json"))?.Bundle;
    }

    /// <summary>The cuts recorded for <paramref name="targetReleaseId"/> (full and delta, every class), from memory, at most
    /// <see cref="MaxListedCuts"/>, by class then base. Entries written before the index kept its key are not listed.</summary>
    public IReadOnlyList<RecordedCut> CutsFor(string targetReleaseId)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetReleaseId);
        return [.. _cutsByKey.Where(c => c.Key.TargetReleaseId == targetReleaseId)
            .OrderBy(c => c.Key.DeviceClass, StringComparer.Ordinal).ThenBy(c => c.Key.BaseImageDigest, StringComparer.Ordinal)
            .Take(MaxListedCuts).Select(c => new RecordedCut(c.Key, c.Value))];
    }

    /// <summary>Whether the stored bundle is a delta (for the served-bytes metric), or null when the store did not cut it.</summary>
    public bool? IsDelta(string sha256Hex) => _deltas.TryGetValue(sha256Hex, out var delta) ? delta : null;

    private RecordedCut? ReadEntry(string path)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > CutIndexEntry.MaxBytes) return null;
            var entry = CutIndexEntry.Parse(File.ReadAllBytes(path), Path.GetFileNameWithoutExtension(path));
            if (entry is null || Find(entry.Bundle.Sha256) is not { } file || (ulong)file.Length != entry.Bundle.Length) return null;
            return entry;
        }
        catch (IOException)
        {
            return null; // a damaged entry costs one cut again
        }
    }

    /// <summary>Records that <paramref name="key"/> gave <paramref name="bundle"/> (after the bundle file is in place).</summary>
    public Task RecordCutAsync(BundleCutKey key, BundleLocation bundle, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(bundle);
        return RecordAsync();

        async Task RecordAsync()
        {
            await AtomicFile.WriteAsync(Path.Combine(_cuts, key.Id + ".json"), CutIndexEntry.ToBytes(key, bundle), cancellationToken: ct).ConfigureAwait(false);
            _cutsByKey[key] = bundle;
        }
    }

    public static bool IsSha256Hex(string? text) =>
        text is { Length: 64 } && text.All(c => c is >= '0' and <= '9' or >= 'a' and <= 'f');
}
