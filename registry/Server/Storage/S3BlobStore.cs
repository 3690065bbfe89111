using AtymSecure.ObjectStore;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// Blobs and upload sessions in an S3-compatible object store (issue 17 §1; layout in <see cref="S3BlobKeys"/>), so several
/// registry replicas share them: every piece of an upload's state is an object, so a PATCH on one replica and the final
/// PUT on another work (the session record itself lives in the shared metadata store).
/// <para>
/// No partial object is ever visible under a blob's key: a blob is written by <see cref="CommitUpload"/> only, which
/// streams the session's chunks back, hashes exactly the bytes it sends into the blob object, and makes the object appear
/// (one PUT, or CompleteMultipartUpload) only when that hash is the digest; otherwise it aborts. That second hash is on
/// purpose: it covers what the object store returned, not what the client sent (the hash <see cref="Uploads.UploadService"/>
/// checked), so a chunk changed under the session (a concurrent writer, a faulty server) cannot become a blob whose bytes
/// are not its digest. A commit interrupted by a crash leaves an open multipart upload (invisible; aborted by
/// <see cref="DeleteStaleTemporaryFiles"/>) and the session's chunks (removed by the upload sweep).
/// </para>
/// <para>
/// <see cref="IBlobStore"/> is synchronous where the file store is cheap (HEAD, LIST, small PUTs): those calls block on the
/// SDK's async methods (ASP.NET Core has no synchronization context, so this cannot deadlock; it holds a pool thread per
/// call). The data paths — appending, reading, committing — are asynchronous streams or run on their own.
/// </para>
/// </summary>
public sealed partial class S3BlobStore : IBlobStore, IBlobRedirects, IDisposable
{
    private readonly IObjectStore _store;
    private readonly S3BlobStoreOptions _options;

    public S3BlobStore(IObjectStore store, S3BlobStoreOptions? options = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _options = (options ?? new S3BlobStoreOptions()).EnsureValid();
    }

    /// <summary>The object store (its location is safe to log).</summary>
    public IObjectStore Store => _store;

    private static T Wait<T>(Task<T> task) => task.GetAwaiter().GetResult();

    private static void Wait(Task task) => task.GetAwaiter().GetResult();

    public BlobInfo? TryGet(Digest digest)
    {
        var blob = _store.HeadAsync(S3BlobKeys.Blob(digest));
        var touched = _store.HeadAsync(S3BlobKeys.Touched(digest));
        var (entry, marker) = (Wait(blob), Wait(touched));
        if (entry is null) return null;
        var last = marker is not null && marker.LastModified > entry.LastModified ? marker.LastModified : entry.LastModified;
        return new BlobInfo(digest, entry.Size, null, last);
    }

    public Stream OpenRead(Digest digest) => new ObjectReadStream(_store, S3BlobKeys.Blob(digest), Expected(digest));

    /// <summary>What a blob's bytes must hash to (null for an algorithm this process cannot compute: not checked).</summary>
    private static ExpectedHash? Expected(Digest digest) => digest.IsSupported
        ? new ExpectedHash(digest.IsSha256 ? System.Security.Cryptography.HashAlgorithmName.SHA256 : System.Security.Cryptography.HashAlgorithmName.SHA512,
            digest.ToBytes(), digest.ToString())
        : null;

    public async Task PutAsync(Digest digest, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        if (!digest.Matches(content.Span))
            throw new ArgumentException($"the content does not hash to {digest}", nameof(content));
        if (await _store.HeadAsync(S3BlobKeys.Blob(digest), ct).ConfigureAwait(false) is not null)
        {
            await TouchAsync(digest).ConfigureAwait(false);
            return;
        }
        using var stream = new MemoryStream(content.ToArray(), writable: false);
        await _store.PutAsync(S3BlobKeys.Blob(digest), stream, ct).ConfigureAwait(false);
    }

    /// <summary>Reads a whole blob (manifests) and checks it against its digest: what the store returns is never trusted unchecked.</summary>
    public async Task<byte[]> ReadAllAsync(Digest digest, CancellationToken ct)
    {
        await using var content = await _store.GetAsync(S3BlobKeys.Blob(digest), cancellationToken: ct).ConfigureAwait(false);
        if (content.Length > int.MaxValue) throw new InvalidDataException($"blob {digest} is too large to read whole ({content.Length} bytes)");
        var bytes = new byte[content.Length];
        await content.Stream.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
        if (!digest.Matches(bytes))
            throw new ObjectStoreException(ObjectStoreError.Integrity, S3BlobKeys.Blob(digest), $"the object store returned bytes for {digest} that do not hash to it");
        return bytes;
    }

    public bool Delete(Digest digest)
    {
        var existed = Wait(_store.HeadAsync(S3BlobKeys.Blob(digest))) is not null;
        Wait(_store.DeleteAsync(S3BlobKeys.Blob(digest)));
        Wait(_store.DeleteAsync(S3BlobKeys.Touched(digest)));
        return existed;
    }

    /// <summary>Writes the blob's empty <c>touched/</c> marker (the blob itself cannot change its time without a copy).</summary>
    public void Touch(Digest digest) => Wait(TouchAsync(digest));

    private async Task TouchAsync(Digest digest)
    {
        using var empty = new MemoryStream([], writable: false);
        await _store.PutAsync(S3BlobKeys.Touched(digest), empty).ConfigureAwait(false);
    }

    /// <summary>Every blob, its time the later of its own and its <c>touched/</c> marker's (markers are listed first, in one pass).</summary>
    public IEnumerable<BlobInfo> Enumerate()
    {
        var touched = new Dictionary<Digest, DateTimeOffset>();
        foreach (var marker in _store.ListAsync(S3BlobKeys.TouchedPrefix).ToBlockingEnumerable())
            if (S3BlobKeys.TryParse(marker.Key, S3BlobKeys.TouchedPrefix, out var d)) touched[d] = marker.LastModified;
        foreach (var entry in _store.ListAsync(S3BlobKeys.BlobsPrefix).ToBlockingEnumerable())
        {
            if (!S3BlobKeys.TryParse(entry.Key, S3BlobKeys.BlobsPrefix, out var digest)) continue;
            var last = touched.TryGetValue(digest, out var t) && t > entry.LastModified ? t : entry.LastModified;
            yield return new BlobInfo(digest, entry.Size, null, last);
        }
    }

    public Uri DownloadUrl(Digest digest, TimeSpan validFor) => _store.PresignGet(S3BlobKeys.Blob(digest), validFor);

    /// <summary>
    /// Aborts multipart uploads of blobs (commits a crash interrupted) started before <paramref name="cutoff"/>, and deletes
    /// <c>touched/</c> markers of blobs that are gone. Returns how many it removed.
    /// </summary>
    public int DeleteStaleTemporaryFiles(DateTimeOffset cutoff)
    {
        var removed = 0;
        foreach (var (upload, initiated) in _store.ListMultipartAsync(S3BlobKeys.BlobsPrefix).ToBlockingEnumerable().ToList())
        {
            if (initiated >= cutoff) continue;
            Wait(_store.AbortMultipartAsync(upload));
            removed++;
        }
        foreach (var marker in _store.ListAsync(S3BlobKeys.TouchedPrefix).ToBlockingEnumerable().ToList())
        {
            if (marker.LastModified >= cutoff || !S3BlobKeys.TryParse(marker.Key, S3BlobKeys.TouchedPrefix, out var digest)) continue;
            if (Wait(_store.HeadAsync(S3BlobKeys.Blob(digest))) is not null) continue;
            Wait(_store.DeleteAsync(marker.Key));
            removed++;
        }
        return removed;
    }

    public void Dispose() => (_store as IDisposable)?.Dispose();
}
