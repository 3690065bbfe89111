using AtymSecure.ObjectStore;

namespace AtymSecure.Registry.Tests.Storage;

/// <summary>
/// A real object store with one fault on request: <see cref="FailPart"/> makes that multipart part number fail as a
/// network error would.
/// Everything else passes through to the real server, so what is left behind is what a real failure leaves.
/// </summary>
internal sealed class FaultyObjectStore(IObjectStore inner) : IObjectStore
{
    public int? FailPart { get; set; }

    public ObjectStoreLocation Location => inner.Location;

    public Task EnsureReachableAsync(CancellationToken cancellationToken = default) => inner.EnsureReachableAsync(cancellationToken);

    public Task<ObjectContent> GetAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default) =>
        inner.GetAsync(key, offset, length, cancellationToken);

    public Task<ObjectEntry?> HeadAsync(string key, CancellationToken cancellationToken = default) => inner.HeadAsync(key, cancellationToken);

    public Task<ObjectEntry> PutAsync(string key, Stream content, CancellationToken cancellationToken = default) => inner.PutAsync(key, content, cancellationToken);

    public Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default) =>
        inner.CopyAsync(sourceKey, targetKey, cancellationToken);

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public IAsyncEnumerable<ObjectEntry> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public Task<MultipartUpload> StartMultipartAsync(string key, CancellationToken cancellationToken = default) =>
        inner.StartMultipartAsync(key, cancellationToken);

    public Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default) =>
        partNumber == FailPart
            ? Task.FromException<UploadedPart>(new ObjectStoreException(ObjectStoreError.Unavailable, upload.Key, $"injected failure of part {partNumber}"))
            : inner.UploadPartAsync(upload, partNumber, content, cancellationToken);

    public Task<UploadedPart> CopyPartAsync(MultipartUpload upload, int partNumber, string sourceKey, long offset, long length,
        CancellationToken cancellationToken = default) => inner.CopyPartAsync(upload, partNumber, sourceKey, offset, length, cancellationToken);

    public Task<ObjectEntry> CompleteMultipartAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default) =>
        inner.CompleteMultipartAsync(upload, parts, cancellationToken);

    public Task AbortMultipartAsync(MultipartUpload upload, CancellationToken cancellationToken = default) => inner.AbortMultipartAsync(upload, cancellationToken);

    public IAsyncEnumerable<(MultipartUpload Upload, DateTimeOffset Initiated)> ListMultipartAsync(string prefix, CancellationToken cancellationToken = default) =>
        inner.ListMultipartAsync(prefix, cancellationToken);

    public Uri PresignGet(string key, TimeSpan validFor) => inner.PresignGet(key, validFor);
}
