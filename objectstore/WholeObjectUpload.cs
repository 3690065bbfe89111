namespace AtymSecure.ObjectStore;

/// <summary>
/// Writes bytes held in memory as one object that appears under its key whole or not at all: up to
/// <paramref name="partSize"/> one PUT (S3 makes a single PUT visible atomically; its Content-MD5 and ETag are checked),
/// larger a multipart upload of <paramref name="partSize"/> parts, completed only after every part was stored and checked
/// and aborted on any failure, so a crash or an error leaves at most an open upload (invisible under the key; a sweep of
/// <see cref="IMultipartWriter.ListMultipartAsync"/> aborts it later). For content-addressed objects, whose key names
/// their hash: the caller computed the hash from the same bytes.
/// </summary>
public static class WholeObjectUpload
{
    /// <summary>The part size the servers use by default (16 MiB: a bundle or manifest is one PUT).</summary>
    public const int DefaultPartSize = 16 << 20;

    public static async Task<ObjectEntry> PutAsync(IObjectStore store, string key, ReadOnlyMemory<byte> content, int partSize = DefaultPartSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(partSize, (int)S3ObjectStore.MinPartSize);
        if (content.Length <= partSize)
        {
            using var whole = new MemoryStream(content.ToArray(), writable: false);
            return await store.PutAsync(key, whole, cancellationToken).ConfigureAwait(false);
        }
        var upload = await store.StartMultipartAsync(key, cancellationToken).ConfigureAwait(false);
        try
        {
            var parts = new List<UploadedPart>();
            for (var (offset, number) = (0, 1); offset < content.Length; offset += partSize, number++)
            {
                var length = Math.Min(partSize, content.Length - offset);
                using var part = new MemoryStream(content.Slice(offset, length).ToArray(), writable: false);
                parts.Add(await store.UploadPartAsync(upload, number, part, cancellationToken).ConfigureAwait(false));
            }
            return await store.CompleteMultipartAsync(upload, parts, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            try
            {
                await store.AbortMultipartAsync(upload, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectStoreException)
            {
                // Left open, it stays invisible; the owner's sweep aborts it later.
            }
            throw;
        }
    }
}
