using AtymSecure.ObjectStore;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// Upload sessions as objects: <c>uploads/ID/session</c> says the session exists, <c>uploads/ID/chunks/OFFSET</c> hold its
/// bytes. The session's length is read from a listing (the longest run of chunks that follow each other from offset 0), never
/// from memory, so any replica sees the same session; RGW lists consistently after a write.
/// </summary>
public sealed partial class S3BlobStore
{
    /// <summary>One chunk object of a session: where its bytes start in the upload and how many.</summary>
    internal sealed record Chunk(string Key, long Offset, long Size);

    /// <summary>What a listing of one session shows: whether its marker exists, the chunks that continue each other from 0 (in
    /// order: the session's bytes) and the strays after a gap (left by a failed truncation; never part of the session).</summary>
    internal sealed record SessionListing(bool Exists, List<Chunk> Chunks, List<Chunk> Strays)
    {
        public long Length => Chunks.Sum(c => c.Size);
    }

    internal async Task<SessionListing> ReadSessionAsync(string uploadId, CancellationToken ct)
    {
        var exists = false;
        var all = new List<Chunk>();
        await foreach (var entry in _store.ListAsync(S3BlobKeys.UploadFolder(uploadId), ct).ConfigureAwait(false))
        {
            if (!S3BlobKeys.TryParseUpload(entry.Key, out _, out var rest)) continue;
            if (S3BlobKeys.IsSession(rest)) exists = true;
            else if (S3BlobKeys.TryParseChunk(rest, out var offset)) all.Add(new Chunk(entry.Key, offset, entry.Size));
        }
        var chain = new List<Chunk>();
        long next = 0;
        foreach (var chunk in all) // key order is offset order
        {
            if (chunk.Offset != next || chunk.Size == 0) break;
            chain.Add(chunk);
            next += chunk.Size;
        }
        return new SessionListing(exists, chain, all.Skip(chain.Count).ToList());
    }

    public void CreateUpload(string uploadId)
    {
        using var empty = new MemoryStream([], writable: false);
        Wait(_store.PutAsync(S3BlobKeys.Session(uploadId), empty));
    }

    public long? UploadLength(string uploadId)
    {
        var session = Wait(ReadSessionAsync(uploadId, CancellationToken.None));
        return session.Exists ? session.Length : null;
    }

    /// <summary>A stream that buffers what is written and stores it as chunk objects: each time <see cref="S3BlobStoreOptions.ChunkSize"/>
    /// bytes are buffered, and the rest on <see cref="Stream.FlushAsync(CancellationToken)"/>. Disposing without a flush drops the
    /// unflushed rest (a failed request), so only what the caller completed reaches the session.</summary>
    public Stream OpenUploadForAppend(string uploadId)
    {
        var session = Wait(ReadSessionAsync(uploadId, CancellationToken.None));
        if (!session.Exists) throw new FileNotFoundException($"upload {uploadId} does not exist");
        // A stray chunk could otherwise join the session when new bytes happen to end where it starts.
        foreach (var stray in session.Strays) Wait(_store.DeleteAsync(stray.Key));
        return new S3UploadAppendStream(_store, uploadId, session.Length, _options.ChunkSize);
    }

    public Stream OpenUploadForRead(string uploadId)
    {
        var session = Wait(ReadSessionAsync(uploadId, CancellationToken.None));
        if (!session.Exists) throw new FileNotFoundException($"upload {uploadId} does not exist");
        return new S3ChunkReadStream(_store, session.Chunks);
    }

    /// <summary>Deletes chunks from <paramref name="length"/> on; a chunk that spans it is rewritten with its first part.</summary>
    public void TruncateUpload(string uploadId, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Wait(TruncateAsync(uploadId, length));
    }

    private async Task TruncateAsync(string uploadId, long length)
    {
        var stale = new List<(string Key, long Offset)>();
        await foreach (var entry in _store.ListAsync(S3BlobKeys.ChunksOf(uploadId)).ConfigureAwait(false))
            if (S3BlobKeys.TryParseUpload(entry.Key, out _, out var rest) && S3BlobKeys.TryParseChunk(rest, out var offset)
                && offset + entry.Size > length)
                stale.Add((entry.Key, offset));
        foreach (var (key, offset) in stale)
        {
            if (offset < length)
            {
                await using var head = await _store.GetAsync(key, 0, length - offset).ConfigureAwait(false);
                using var kept = new MemoryStream();
                await head.Stream.CopyToAsync(kept).ConfigureAwait(false);
                kept.Position = 0;
                await _store.PutAsync(key, kept).ConfigureAwait(false);
            }
            else
            {
                await _store.DeleteAsync(key).ConfigureAwait(false);
            }
        }
    }

    public void DeleteUpload(string uploadId) => Wait(DeleteUploadAsync(uploadId));

    private async Task DeleteUploadAsync(string uploadId)
    {
        // The session marker last, so a half-deleted session is still found (and swept) rather than leaking chunks.
        var keys = new List<string>();
        await foreach (var entry in _store.ListAsync(S3BlobKeys.UploadFolder(uploadId)).ConfigureAwait(false)) keys.Add(entry.Key);
        var session = S3BlobKeys.Session(uploadId);
        foreach (var key in keys.Where(k => k != session)) await _store.DeleteAsync(key).ConfigureAwait(false);
        await _store.DeleteAsync(session).ConfigureAwait(false);
    }

    /// <summary>Every session folder (with or without its marker) and its last write: the latest time of any of its objects.</summary>
    public IEnumerable<(string UploadId, DateTimeOffset LastWriteUtc)> EnumerateUploads()
    {
        var last = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var entry in _store.ListAsync(S3BlobKeys.UploadsPrefix).ToBlockingEnumerable())
            if (S3BlobKeys.TryParseUpload(entry.Key, out var id, out _))
                last[id] = last.TryGetValue(id, out var t) && t > entry.LastModified ? t : entry.LastModified;
        return last.Select(kv => (kv.Key, kv.Value)).ToList();
    }
}
