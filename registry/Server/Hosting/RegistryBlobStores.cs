using AtymSecure.ObjectStore;
using AtymSecure.Primitives;
using AtymSecure.Registry.Storage;

namespace AtymSecure.Registry.Hosting;

/// <summary>
/// The blob store the options name: files under the data folder by default, an S3-compatible object store for
/// <see cref="RegistryOptions.Blobs"/>. The object store is checked before the registry starts (the bucket exists and the
/// keys may use it), so a wrong URL or key stops the start with one clear message rather than failing pushes later.
/// </summary>
public static class RegistryBlobStores
{
    public static IBlobStore Open(RegistryOptions options, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Blobs is null) return new FileBlobStore(dataDirectory, options.Fsync);
        S3ObjectStore store;
        try
        {
            store = S3ObjectStore.Open(options.Blobs);
        }
        catch (ObjectStoreException e) when (e.Error == ObjectStoreError.InvalidLocation)
        {
            throw new InvalidOptionsException("registry", [new Problem(RegistryOptionProblemCodes.InvalidBlobLocation, "blobs", e.Message)]);
        }
        try
        {
            store.EnsureReachableAsync().GetAwaiter().GetResult();
        }
        catch (ObjectStoreException e)
        {
            store.Dispose();
            throw new InvalidOperationException($"the blob store {store.Location} cannot be used: {e.Error} ({e.Message})", e);
        }
        return new S3BlobStore(store);
    }
}
