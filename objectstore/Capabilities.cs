namespace AtymSecure.ObjectStore;

// Small capability interfaces over an S3-compatible store (the shape of registry/Oci/Content/Capabilities.cs): a
// component asks only for what it uses, and a test fake implements only that. Keys are relative to the location's
// prefix, '/'-separated, validated by ObjectKeys. Every failure is an ObjectStoreException; every write is checked
// against what the server reports it stored (the MD5 ETag), so a server that stores something else fails loudly.

/// <summary>Reads objects, whole or a byte range.</summary>
public interface IObjectReader
{
    /// <summary>Opens <paramref name="key"/> from <paramref name="offset"/> for <paramref name="length"/> bytes (null: to the end).</summary>
    /// <exception cref="ObjectStoreException"><see cref="ObjectStoreError.NotFound"/>, <see cref="ObjectStoreError.InvalidRange"/>, …</exception>
    Task<ObjectContent> GetAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default);
}

/// <summary>Size, time and ETag of one object without its bytes.</summary>
public interface IObjectInspector
{
    /// <summary>The object's entry, or null when it does not exist.</summary>
    Task<ObjectEntry?> HeadAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>Writes whole objects in one request: the object appears complete or not at all.</summary>
public interface IObjectWriter
{
    /// <summary>Stores <paramref name="content"/> (seekable: it is read once for its MD5, once to send) under <paramref name="key"/>,
    /// replacing what was there. The server checks the Content-MD5, and the returned ETag is checked too.</summary>
    Task<ObjectEntry> PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Server-side copy of a whole object (up to 5 GiB: larger ones go through <see cref="IMultipartWriter.CopyPartAsync"/>).</summary>
    Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default);
}

public interface IObjectDeleter
{
    /// <summary>Deletes <paramref name="key"/>; deleting a missing object is not an error (S3 semantics).</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}

public interface IObjectLister
{
    /// <summary>Every object whose key starts with <paramref name="prefix"/>, in key order (pages followed transparently).</summary>
    IAsyncEnumerable<ObjectEntry> ListAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>
/// Multipart uploads: parts of 5 MiB or more (the last may be smaller), at most 10000, then one
/// <see cref="CompleteMultipartAsync"/> makes the whole object appear under its key at once. Until then nothing is visible
/// under the key; <see cref="AbortMultipartAsync"/> discards the parts.
/// </summary>
public interface IMultipartWriter
{
    Task<MultipartUpload> StartMultipartAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Uploads part <paramref name="partNumber"/> from a seekable stream (read once for its MD5, once to send).</summary>
    Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default);

    /// <summary>Server-side copy of bytes [<paramref name="offset"/>, +<paramref name="length"/>) of <paramref name="sourceKey"/> as a part.</summary>
    Task<UploadedPart> CopyPartAsync(MultipartUpload upload, int partNumber, string sourceKey, long offset, long length,
        CancellationToken cancellationToken = default);

    /// <summary>Completes the upload from <paramref name="parts"/> (in order) and checks the object's size against their sum.</summary>
    Task<ObjectEntry> CompleteMultipartAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default);

    /// <summary>Discards the upload and its parts; an upload that is already gone is not an error.</summary>
    Task AbortMultipartAsync(MultipartUpload upload, CancellationToken cancellationToken = default);

    /// <summary>Multipart uploads still open under <paramref name="prefix"/> with when they started (for cleaning up after a crash).</summary>
    IAsyncEnumerable<(MultipartUpload Upload, DateTimeOffset Initiated)> ListMultipartAsync(string prefix, CancellationToken cancellationToken = default);
}

/// <summary>Time-limited URLs that let a plain HTTP client GET one object without credentials (for 307 redirects).</summary>
public interface IPresigner
{
    Uri PresignGet(string key, TimeSpan validFor);
}

/// <summary>Everything one bucket (under one prefix) offers.</summary>
public interface IObjectStore : IObjectReader, IObjectInspector, IObjectWriter, IObjectDeleter, IObjectLister, IMultipartWriter, IPresigner
{
    /// <summary>The location, without credentials (safe to log).</summary>
    ObjectStoreLocation Location { get; }

    /// <summary>Checks that the bucket exists and the keys may use it (HEAD bucket), for a server's start.</summary>
    Task EnsureReachableAsync(CancellationToken cancellationToken = default);
}
