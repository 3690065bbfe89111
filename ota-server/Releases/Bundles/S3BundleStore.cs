using System.Collections.Concurrent;
using AtymSecure.Delivery.Bundles;
using AtymSecure.ObjectStore;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Bundles;

/// <summary>
/// Cut bundles and the cut index in an S3-compatible object store (issue 17 §1, <c>atym ota serve --blobs s3://…</c>), with
/// the data folder's layout under the location's prefix: <c>bundles/sha256/HEX.bundle</c> and <c>bundles/cuts/KEYID.json</c>.
/// Replicas on one bucket share both, so a bundle one replica cut is found, not cut again, by the others.
/// <para>
/// A bundle appears under its key only whole and checked: one PUT with Content-MD5 (S3 makes it visible atomically) up to
/// 16 MiB, else a multipart upload completed only after every part's ETag matched (<see cref="WholeObjectUpload"/>); a
/// crash leaves at most an open multipart upload, invisible under the key and aborted by <see cref="SweepStaleUploadsAsync"/>
/// at the next start. An index entry is written after its bundle and trusted only when the bundle is there with the
/// entry's length. Reads are checked against the digest when whole (<see cref="CheckedBundleStream"/>), so a damaged
/// object is refused instead of served as that bundle. Nothing is written to the data folder.
/// </para>
/// </summary>
public sealed class S3BundleStore : IBundleStore, IBundleDownloadRedirects, IDisposable
{
    public const string BundlesPrefix = "bundles/sha256/";
    public const string CutsPrefix = "bundles/cuts/";

    private readonly IObjectStore _store;
    private readonly ConcurrentDictionary<string, bool> _deltas = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RecordedCut> _cutsById = new(StringComparer.Ordinal);

    public S3BundleStore(IObjectStore store) => _store = store ?? throw new ArgumentNullException(nameof(store));

    public IObjectStore Store => _store;

    public string Description => _store.Location.ToString();

    public static string BundleKey(string sha256Hex) => BundlesPrefix + sha256Hex + ".bundle";

    public static string CutKey(string keyId) => CutsPrefix + keyId + ".json";

    public async Task<long?> FindAsync(string sha256Hex, CancellationToken ct = default) =>
        BundleFileStore.IsSha256Hex(sha256Hex) ? (await _store.HeadAsync(BundleKey(sha256Hex), ct).ConfigureAwait(false))?.Size : null;

    public async Task<Stream?> OpenReadAsync(string sha256Hex, CancellationToken ct = default)
    {
        if (await FindAsync(sha256Hex, ct).ConfigureAwait(false) is not { } size) return null;
        return new CheckedBundleStream(new ObjectReadStream(_store, BundleKey(sha256Hex), knownLength: size), sha256Hex, size);
    }

    public async Task<BundleLocation> StoreAsync(SignedBundle bundle, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var bytes = await bundle.ToArrayAsync(ct).ConfigureAwait(false);
        var hex = Digest.Compute(bytes).Encoded;
        var key = BundleKey(hex);
        // Content-addressed: an object under this key with this size holds these bytes (a damaged one is refused on read).
        if ((await _store.HeadAsync(key, ct).ConfigureAwait(false))?.Size != bytes.Length)
            await WholeObjectUpload.PutAsync(_store, key, bytes, cancellationToken: ct).ConfigureAwait(false);
        var location = new BundleLocation(hex, (ulong)bytes.Length, bundle.Header.PayloadKind == Formats.Bundle.PayloadKind.Delta);
        _deltas[hex] = location.IsDelta;
        return location;
    }

    public bool? IsDelta(string sha256Hex) => _deltas.TryGetValue(sha256Hex, out var delta) ? delta : null;

    public async Task<BundleLocation?> FindCutAsync(BundleCutKey key, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return (await ReadEntryAsync(key.Id, ct).ConfigureAwait(false))?.Bundle;
    }

    public async Task RecordCutAsync(BundleCutKey key, BundleLocation bundle, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(bundle);
        using var entry = new MemoryStream(CutIndexEntry.ToBytes(key, bundle), writable: false);
        await _store.PutAsync(CutKey(key.Id), entry, ct).ConfigureAwait(false);
        _cutsById[key.Id] = new RecordedCut(key, bundle);
        _deltas[bundle.Sha256] = bundle.IsDelta;
    }

    /// <summary>Lists the index (one request per 1000 entries) and reads the entries this process has not read yet, so the
    /// cuts other replicas recorded are listed too.</summary>
    public async Task<IReadOnlyList<RecordedCut>> CutsForAsync(string targetReleaseId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetReleaseId);
        await foreach (var item in _store.ListAsync(CutsPrefix, ct).ConfigureAwait(false))
        {
            var name = item.Key[CutsPrefix.Length..];
            if (!name.EndsWith(".json", StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal)) continue;
            var id = name[..^".json".Length];
            if (!_cutsById.ContainsKey(id)) await ReadEntryAsync(id, ct).ConfigureAwait(false);
        }
        return [.. _cutsById.Values.Where(c => c.Key is { } k && k.TargetReleaseId == targetReleaseId)
            .OrderBy(c => c.Key!.DeviceClass, StringComparer.Ordinal).ThenBy(c => c.Key!.BaseImageDigest, StringComparer.Ordinal)
            .Take(BundleFileStore.MaxListedCuts)];
    }

    /// <summary>The entry <c>cuts/ID.json</c> when it is whole and its bundle is there with its length; else null (one cut again).</summary>
    private async Task<RecordedCut?> ReadEntryAsync(string keyId, CancellationToken ct)
    {
        if (!ObjectKeys.IsValid(CutKey(keyId))) return null;
        var head = await _store.HeadAsync(CutKey(keyId), ct).ConfigureAwait(false);
        if (head is null || head.Size > CutIndexEntry.MaxBytes) return null;
        byte[] bytes;
        try
        {
            await using var content = await _store.GetAsync(CutKey(keyId), 0, head.Size, ct).ConfigureAwait(false);
            bytes = new byte[content.Length];
            await content.Stream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        }
        catch (ObjectStoreException e) when (e.Error is ObjectStoreError.NotFound or ObjectStoreError.Integrity or ObjectStoreError.InvalidRange)
        {
            return null;
        }
        catch (EndOfStreamException)
        {
            return null;
        }
        if (CutIndexEntry.Parse(bytes, keyId) is not { } entry) return null;
        if ((ulong?)await FindAsync(entry.Bundle.Sha256, ct).ConfigureAwait(false) != entry.Bundle.Length) return null;
        if (entry.Key is not null) _cutsById[keyId] = entry;
        _deltas[entry.Bundle.Sha256] = entry.Bundle.IsDelta;
        return entry;
    }

    public Uri DownloadUrl(string sha256Hex, TimeSpan validFor) =>
        BundleFileStore.IsSha256Hex(sha256Hex) ? _store.PresignGet(BundleKey(sha256Hex), validFor) : throw new ArgumentException("not a sha256 hex", nameof(sha256Hex));

    /// <summary>Aborts multipart uploads of bundles started before <paramref name="cutoff"/> (writes a crash interrupted);
    /// returns how many. They were never visible; this frees their parts.</summary>
    public async Task<int> SweepStaleUploadsAsync(DateTimeOffset cutoff, CancellationToken ct = default)
    {
        var stale = new List<MultipartUpload>();
        await foreach (var (upload, initiated) in _store.ListMultipartAsync(BundlesPrefix, ct).ConfigureAwait(false))
            if (initiated < cutoff) stale.Add(upload);
        foreach (var upload in stale) await _store.AbortMultipartAsync(upload, ct).ConfigureAwait(false);
        return stale.Count;
    }

    public void Dispose() => (_store as IDisposable)?.Dispose();
}
