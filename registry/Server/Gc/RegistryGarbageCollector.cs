using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Hosting;
using AtymSecure.Registry.Storage;
using AtymSecure.Registry.Uploads;

namespace AtymSecure.Registry.Gc;

/// <summary>What one garbage collection found and did.</summary>
public sealed record GarbageCollectionReport(
    int Manifests,
    int BlobsKept,
    int BlobsDeleted,
    long BytesFreed,
    int BlobsInGracePeriod,
    int UploadsExpired,
    IReadOnlyList<Digest> Deleted,
    bool DryRun);

/// <summary>
/// Mark and sweep of blob files. Mark: every manifest of every repository (its own bytes, config, layers,
/// and the manifests an index lists; referrers are manifests too, with or without an existing subject).
/// Sweep: unmarked blobs whose last use is older than the grace period, so blobs pushed for a manifest
/// that is not pushed yet survive; expired upload sessions go too. Writers touch a blob when they reuse
/// it, and the sweep re-checks that time just before deleting.
/// <c>atym registry gc --data DIR [--store URL]</c> calls <see cref="Run"/>; a running registry can
/// call <see cref="Collect"/> with its own stores.
/// </summary>
public sealed class RegistryGarbageCollector(IBlobStore blobs, IMetadataStore metadata, TimeProvider clock, UploadService? uploads = null)
{
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(1);

    /// <summary>
    /// Opens the data folder and the metadata store, collects, closes. No registry may be running on the store: LiteDB's
    /// lock file and, for a PostgreSQL <paramref name="store"/>, the shared lock every replica holds refuse it
    /// (<see cref="MetadataStoreAccess.Exclusive"/>), as a sweep racing a push could drop a blob link just re-committed.
    /// <paramref name="blobs"/>: the blob store when it is not the folder's files (an object store, <c>--blobs</c>).
    /// </summary>
    public static GarbageCollectionReport Run(string dataDirectory, TimeSpan? gracePeriod = null, TimeSpan? uploadExpiry = null,
        bool dryRun = false, string? store = null, IBlobStore? blobs = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        if (!Directory.Exists(dataDirectory)) throw new DirectoryNotFoundException($"registry data folder '{dataDirectory}' does not exist");
        IMetadataStore metadata;
        try
        {
            metadata = MetadataStores.Open(new RegistryOptions { DataDirectory = dataDirectory, Store = store }, MetadataStoreAccess.Exclusive);
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"cannot open the registry database in '{dataDirectory}' (is a registry still running on it?): {e.Message}", e);
        }
        using (metadata)
        {
            var collector = new RegistryGarbageCollector(blobs ?? new FileBlobStore(dataDirectory), metadata, TimeProvider.System);
            return collector.Collect(gracePeriod ?? DefaultGracePeriod, uploadExpiry ?? new RegistryOptions().UploadExpiry, dryRun);
        }
    }

    public GarbageCollectionReport Collect(TimeSpan gracePeriod, TimeSpan uploadExpiry, bool dryRun = false)
    {
        if (gracePeriod < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(gracePeriod), "must not be negative");
        var started = clock.GetUtcNow();
        var cutoff = started - gracePeriod;

        var marked = new HashSet<string>(StringComparer.Ordinal);
        var manifests = 0;
        foreach (var manifest in metadata.AllManifests())
        {
            manifests++;
            marked.Add(manifest.Digest);
            foreach (var blob in manifest.Blobs) marked.Add(blob);
            foreach (var child in manifest.Children) marked.Add(child);
        }

        var kept = 0;
        var young = 0;
        long freed = 0;
        var deleted = new List<Digest>();
        foreach (var blob in blobs.Enumerate())
        {
            if (marked.Contains(blob.Digest.ToString())) { kept++; continue; }
            // Re-read the time now: a push or mount may have reused the blob since the listing began.
            var current = blobs.TryGet(blob.Digest);
            if (current is null) continue;
            if (current.LastWriteUtc >= cutoff) { young++; continue; }
            if (!dryRun)
            {
                blobs.Delete(blob.Digest);
                metadata.RemoveAllBlobLinks(blob.Digest.ToString());
            }
            deleted.Add(blob.Digest);
            freed += current.Size;
        }

        var uploadsExpired = dryRun ? 0 : (uploads ?? new UploadService(blobs, metadata, clock)).SweepExpired(uploadExpiry);
        return new GarbageCollectionReport(manifests, kept, deleted.Count, freed, young, uploadsExpired, deleted, dryRun);
    }
}
