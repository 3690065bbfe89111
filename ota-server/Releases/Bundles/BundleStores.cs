using AtymSecure.ObjectStore;

namespace AtymSecure.OtaReleases.Bundles;

/// <summary>
/// Opens the bundle store the options name: <see cref="BundleFileStore"/> in <c>DATA/bundles</c> by default, an
/// <see cref="S3BundleStore"/> for an <c>s3://</c> <see cref="OtaReleasesOptions.Blobs"/>. The object store is checked
/// before the server starts (HEAD bucket: it exists and the keys may use it), so a wrong URL, bucket or key stops the
/// start with one <see cref="BundleStoreStartException"/> rather than failing every cut later; multipart uploads a crash
/// left are aborted then too.
/// </summary>
public static class BundleStores
{
    /// <summary>Open multipart uploads older than this at start are a crashed write's (a bundle's parts take seconds).</summary>
    public static readonly TimeSpan StaleUploadAge = TimeSpan.FromHours(1);

    /// <summary>The object store for <paramref name="url"/>, checked; credentials from the URL or <paramref name="environment"/>.</summary>
    /// <exception cref="BundleStoreStartException">The URL is unusable, the bucket is missing, the keys are refused or the server is down.</exception>
    public static S3BundleStore OpenObjectStore(string url, TimeProvider clock, Func<string, string?>? environment = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(url);
        ArgumentNullException.ThrowIfNull(clock);
        S3ObjectStore store;
        try
        {
            store = S3ObjectStore.Open(url, environment);
        }
        catch (ObjectStoreException e)
        {
            throw new BundleStoreStartException(e.Error, $"blobs: {e.Message}", e);
        }
        try
        {
            store.EnsureReachableAsync().GetAwaiter().GetResult();
            var bundles = new S3BundleStore(store);
            bundles.SweepStaleUploadsAsync(clock.GetUtcNow() - StaleUploadAge).GetAwaiter().GetResult();
            return bundles;
        }
        catch (ObjectStoreException e)
        {
            store.Dispose();
            throw new BundleStoreStartException(e.Error, $"the bundle store {store.Location} cannot be used: {e.Error} ({e.Message})", e);
        }
    }
}

/// <summary>The configured object store for bundles cannot be used, so the OTA server does not start. <see cref="Error"/> says
/// why (<see cref="ObjectStoreError.NoSuchBucket"/>, <see cref="ObjectStoreError.AccessDenied"/>, …); the message never
/// holds a credential.</summary>
public sealed class BundleStoreStartException : Exception
{
    public BundleStoreStartException(ObjectStoreError error, string message, Exception? innerException = null) : base(message, innerException) => Error = error;

    public BundleStoreStartException() : this(ObjectStoreError.Rejected, "the bundle store cannot be used") { }

    public BundleStoreStartException(string message) : this(ObjectStoreError.Rejected, message) { }

    public BundleStoreStartException(string message, Exception innerException) : this(ObjectStoreError.Rejected, message, innerException) { }

    public ObjectStoreError Error { get; }
}
