namespace AtymSecure.ObjectStore;

/// <summary>One stored object as a listing or a HEAD reports it. <see cref="Key"/> is relative to the location's prefix;
/// <see cref="ETag"/> is the server's, without quotes (the MD5 of the bytes for a single PUT, <c>md5-of-part-md5s-N</c>
/// for a multipart object).</summary>
public sealed record ObjectEntry(string Key, long Size, DateTimeOffset LastModified, string ETag);

/// <summary>An open object: its bytes from <see cref="Offset"/> on (the whole object, or the requested range) and its size.</summary>
public sealed class ObjectContent(Stream stream, long offset, long length, long totalSize, string etag) : IAsyncDisposable, IDisposable
{
    /// <summary>The bytes; reads end after <see cref="Length"/> bytes and fail with <see cref="ObjectStoreError.Integrity"/> if
    /// the server sends fewer.</summary>
    public Stream Stream { get; } = stream;

    public long Offset { get; } = offset;

    public long Length { get; } = length;

    /// <summary>The whole object's size (not only the range's).</summary>
    public long TotalSize { get; } = totalSize;

    public string ETag { get; } = etag;

    public ValueTask DisposeAsync() => Stream.DisposeAsync();

    public void Dispose() => Stream.Dispose();
}

/// <summary>A multipart upload in progress: the key it will complete into and the server's upload id. Any process holding
/// both can add parts, complete or abort it.</summary>
public sealed record MultipartUpload(string Key, string UploadId);

/// <summary>One uploaded part: its number (1–10000) and the ETag the server returned for it (checked against what was sent).</summary>
public sealed record UploadedPart(int Number, string ETag, long Size);
