using AtymSecure.Delivery.Bundles;
using AtymSecure.OtaReleases.Planning;

namespace AtymSecure.OtaReleases.Bundles;

// The OTA server's content-addressed blob storage (issue 17 §1), as small capabilities: a component asks only for what it
// uses. Two implementations: BundleFileStore (the data folder, the default, files unchanged on disk) and S3BundleStore (an
// S3-compatible object store shared by replicas). The contract both keep (tests/…/Bundles/BundleStoreContract.cs):
// a bundle is visible under its digest only whole (written atomically: a rename, one PUT or a completed multipart upload),
// its bytes are checked against that digest when it is read whole, and a cut index entry is trusted only when the bundle
// it names is there with the length it records.

/// <summary>Cut bundles by their SHA-256 (64 lower-case hex): written once, never changed.</summary>
public interface IBundleBlobs
{
    /// <summary>Where the bundles are, safe to log (a folder, or an <c>s3://</c> location without credentials).</summary>
    string Description { get; }

    /// <summary>The size of the bundle with SHA-256 <paramref name="sha256Hex"/>, or null when absent (or not a valid name).</summary>
    Task<long?> FindAsync(string sha256Hex, CancellationToken ct = default);

    /// <summary>
    /// The bundle's bytes, or null when absent: a stream that may be positioned before its first read (a <c>Range</c>
    /// answer seeks to the range's start) and whose <see cref="Stream.Length"/> is the bundle's size. Read whole from the
    /// start, the read that reaches the end throws <see cref="BundleIntegrityException"/> when the bytes are not the
    /// digest, before it hands them out.
    /// </summary>
    Task<Stream?> OpenReadAsync(string sha256Hex, CancellationToken ct = default);

    /// <summary>Writes the bundle under its hash, visible only whole (idempotent: the same bytes give the same name).</summary>
    Task<BundleLocation> StoreAsync(SignedBundle bundle, CancellationToken ct = default);

    /// <summary>Whether the bundle is a delta (for the served-bytes metric), or null when this process has not seen its cut.</summary>
    bool? IsDelta(string sha256Hex);
}

/// <summary>The cut index: which bundle a <see cref="BundleCutKey"/> gave, so a cut is made once and found after a restart or on another replica.</summary>
public interface IBundleCutIndex
{
    /// <summary>The bundle an earlier cut of <paramref name="key"/> gave, when its index entry and its bundle are both intact.</summary>
    Task<BundleLocation?> FindCutAsync(BundleCutKey key, CancellationToken ct = default);

    /// <summary>Records that <paramref name="key"/> gave <paramref name="bundle"/> (after the bundle is stored).</summary>
    Task RecordCutAsync(BundleCutKey key, BundleLocation bundle, CancellationToken ct = default);

    /// <summary>The cuts recorded for <paramref name="targetReleaseId"/>, at most <see cref="BundleFileStore.MaxListedCuts"/>, by class then base.</summary>
    Task<IReadOnlyList<RecordedCut>> CutsForAsync(string targetReleaseId, CancellationToken ct = default);
}

/// <summary>Bundles and their cut index in one place (what the server registers).</summary>
public interface IBundleStore : IBundleBlobs, IBundleCutIndex;

/// <summary>A store whose bundles a plain HTTP client can fetch directly (an object store's presigned URL), for <c>307</c> redirects.</summary>
public interface IBundleDownloadRedirects
{
    /// <summary>A URL that serves the bundle for <paramref name="validFor"/>, without credentials.</summary>
    Uri DownloadUrl(string sha256Hex, TimeSpan validFor);
}

/// <summary>A stored bundle's bytes are not its digest (a damaged disk or object, a faulty object store): it is not served as that bundle.</summary>
public sealed class BundleIntegrityException : IOException
{
    public BundleIntegrityException(string message) : base(message) { }

    public BundleIntegrityException() : base("a stored bundle's bytes do not hash to its name") { }

    public BundleIntegrityException(string message, Exception innerException) : base(message, innerException) { }
}

/// <summary>Reading all of a bundle through <see cref="IBundleBlobs.OpenReadAsync"/> (checked against its digest).</summary>
public static class BundleBlobReads
{
    /// <summary>The bundle's bytes, checked; null when absent.</summary>
    public static async Task<byte[]?> ReadAllAsync(this IBundleBlobs blobs, string sha256Hex, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        var stream = await blobs.OpenReadAsync(sha256Hex, ct).ConfigureAwait(false);
        if (stream is null) return null;
        await using (stream.ConfigureAwait(false))
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct).ConfigureAwait(false);
            return copy.ToArray();
        }
    }
}
