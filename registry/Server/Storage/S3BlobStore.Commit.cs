using System.Buffers;
using AtymSecure.ObjectStore;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// Committing a session: the chunks are read back in order and hashed on the way into the blob object; the object appears
/// only when that hash is the digest. Up to <see cref="S3BlobStoreOptions.PartSize"/>: one PUT. Larger: a multipart upload
/// whose parts are sent while the next one is read (two part buffers per commit), completed after the hash matched and
/// aborted on any failure — so a crash, a cancelled request or a mismatch leaves nothing under the blob's key.
/// </summary>
public sealed partial class S3BlobStore
{
    public void CommitUpload(string uploadId, Digest digest) => Wait(CommitUploadAsync(uploadId, digest));

    /// <summary>Not cancellable on purpose (like the file store's rename): the digest was verified, and a commit cut off halfway
    /// would only cost the client a retry.</summary>
    public async Task CommitUploadAsync(string uploadId, Digest digest)
    {
        var ct = CancellationToken.None;
        var key = S3BlobKeys.Blob(digest);
        if (await _store.HeadAsync(key, ct).ConfigureAwait(false) is not null)
        {
            // Identical content already committed by another session (same digest, same bytes).
            await DeleteUploadAsync(uploadId).ConfigureAwait(false);
            await TouchAsync(digest).ConfigureAwait(false);
            return;
        }
        var session = await ReadSessionAsync(uploadId, ct).ConfigureAwait(false);
        if (!session.Exists) throw new FileNotFoundException($"upload {uploadId} does not exist");
        var total = session.Length;
        if (total > (long)S3ObjectStore.MaxParts * _options.PartSize)
            throw new InvalidDataException($"blob {digest} has {total} bytes, more than {S3ObjectStore.MaxParts} parts of {_options.PartSize} bytes");
        using var hasher = Digest.CreateHasher(digest.Algorithm);
        await using (var source = new S3ChunkReadStream(_store, session.Chunks))
        {
            if (total <= _options.PartSize)
            {
                var whole = new byte[total];
                await source.ReadExactlyAsync(whole, ct).ConfigureAwait(false);
                hasher.AppendData(whole);
                RequireDigest(digest, hasher, uploadId);
                using var content = new MemoryStream(whole, writable: false);
                await _store.PutAsync(key, content, ct).ConfigureAwait(false);
            }
            else
            {
                await CommitMultipartAsync(key, digest, source, total, hasher, uploadId, ct).ConfigureAwait(false);
            }
        }
        await DeleteUploadAsync(uploadId).ConfigureAwait(false);
    }

    private async Task CommitMultipartAsync(string key, Digest digest, Stream source, long total, System.Security.Cryptography.IncrementalHash hasher,
        string uploadId, CancellationToken ct)
    {
        var size = _options.PartSize;
        byte[][] buffers = [ArrayPool<byte>.Shared.Rent(size), ArrayPool<byte>.Shared.Rent(size)];
        var upload = await _store.StartMultipartAsync(key, ct).ConfigureAwait(false);
        Task<UploadedPart>? sending = null;
        try
        {
            var parts = new List<UploadedPart>();
            long done = 0;
            for (var number = 1; done < total; number++)
            {
                // The buffer filled now was last used by part number-2, which was awaited before part number-1 was sent.
                var buffer = buffers[number % 2];
                var length = (int)Math.Min(size, total - done);
                await source.ReadExactlyAsync(buffer.AsMemory(0, length), ct).ConfigureAwait(false);
                hasher.AppendData(buffer, 0, length);
                if (sending is not null) parts.Add(await sending.ConfigureAwait(false));
                sending = _store.UploadPartAsync(upload, number, new MemoryStream(buffer, 0, length, writable: false), ct);
                done += length;
            }
            parts.Add(await sending!.ConfigureAwait(false));
            sending = null;
            RequireDigest(digest, hasher, uploadId);
            await _store.CompleteMultipartAsync(upload, parts, ct).ConfigureAwait(false);
        }
        catch
        {
            if (sending is not null)
                try { await sending.ConfigureAwait(false); } catch (ObjectStoreException) { } catch (OperationCanceledException) { }
            try
            {
                await _store.AbortMultipartAsync(upload, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectStoreException)
            {
                // Left open, it stays invisible; DeleteStaleTemporaryFiles aborts it later.
            }
            throw;
        }
        finally
        {
            foreach (var buffer in buffers) ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void RequireDigest(Digest expected, System.Security.Cryptography.IncrementalHash hasher, string uploadId)
    {
        var actual = Digest.FromHash(expected.Algorithm, hasher.GetHashAndReset());
        if (actual != expected)
            throw new ObjectStoreException(ObjectStoreError.Integrity, S3BlobKeys.Blob(expected),
                $"upload {uploadId} read back from the object store hashes to {actual}, not {expected}: its chunks changed after they were checked; nothing was committed");
    }
}
