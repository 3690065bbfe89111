using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace AtymSecure.ObjectStore;

/// <summary>
/// <see cref="IObjectStore"/> over AWSSDK.S3 for one bucket under one key prefix (Ceph RGW, Swift s3api, MinIO, AWS). The
/// client comes from <see cref="S3ClientFactory"/> (the safe settings); every operation maps its failures through
/// <see cref="S3Errors"/>; every write is checked against the server's ETag (<see cref="ContentMd5"/>), and a completed
/// multipart object that does not match what was sent is deleted before the error is thrown, so a wrong object never stays
/// under its key. Multipart uploads: S3ObjectStore.Multipart.cs.
/// </summary>
public sealed partial class S3ObjectStore : IObjectStore, IDisposable
{
    private readonly AmazonS3Client _client;

    public S3ObjectStore(ObjectStoreLocation location, ObjectStoreCredentials credentials)
    {
        Location = location ?? throw new ArgumentNullException(nameof(location));
        _client = S3ClientFactory.Create(location, credentials);
    }

    /// <summary>Opens the store at <paramref name="url"/>; credentials from its user info, else from <paramref name="environment"/>
    /// (default: the process's AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).</summary>
    public static S3ObjectStore Open(string url, Func<string, string?>? environment = null)
    {
        var location = ObjectStoreLocation.Parse(url, out var fromUrl);
        return new S3ObjectStore(location, ObjectStoreCredentials.Resolve(fromUrl, environment));
    }

    public ObjectStoreLocation Location { get; }

    private string Full(string key)
    {
        ObjectKeys.Require(key);
        return Location.Prefix + key;
    }

    private string Relative(string fullKey) => fullKey.StartsWith(Location.Prefix, StringComparison.Ordinal) ? fullKey[Location.Prefix.Length..] : fullKey;

    /// <summary>Runs one SDK call, mapping its failures (a caller's cancellation stays an <see cref="OperationCanceledException"/>).</summary>
    private async Task<T> Call<T>(string operation, string? key, Func<Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (S3Errors.IsStoreFailure(e, cancellationToken))
        {
            throw S3Errors.Map(e, operation, Location, key);
        }
    }

    public async Task EnsureReachableAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Call("HEAD bucket", null, () => _client.HeadBucketAsync(new HeadBucketRequest { BucketName = Location.Bucket }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException e) when (e.Error == ObjectStoreError.NotFound)
        {
            // A HEAD answer has no body, so no S3 error code: a 404 on the bucket means there is no such bucket.
            throw new ObjectStoreException(ObjectStoreError.NoSuchBucket, null, $"bucket '{Location.Bucket}' does not exist at {Location}", e);
        }
    }

    /// <summary>Creates the bucket (tests and first-time setup; servers expect it to exist). An existing bucket of ours is fine.</summary>
    public async Task CreateBucketAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await Call("CREATE bucket", null, () => _client.PutBucketAsync(new PutBucketRequest { BucketName = Location.Bucket }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException e) when (e.InnerException is AmazonS3Exception { ErrorCode: "BucketAlreadyOwnedByYou" })
        {
        }
    }

    public async Task<ObjectContent> GetAsync(string key, long offset = 0, long? length = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (length is < 0) throw new ArgumentOutOfRangeException(nameof(length));
        var full = Full(key);
        if (length == 0)
        {
            // S3 has no empty range: answer from HEAD.
            var head = await HeadAsync(key, cancellationToken).ConfigureAwait(false)
                ?? throw new ObjectStoreException(ObjectStoreError.NotFound, key, $"'{key}' is not in bucket '{Location.Bucket}'");
            if (offset > head.Size) throw new ObjectStoreException(ObjectStoreError.InvalidRange, key, $"offset {offset} is past the end of '{key}' ({head.Size} bytes)");
            return new ObjectContent(new MemoryStream([], writable: false), offset, 0, head.Size, head.ETag);
        }
        var request = new GetObjectRequest { BucketName = Location.Bucket, Key = full };
        if (offset > 0 || length is not null)
            request.ByteRange = length is { } l ? new ByteRange(offset, offset + l - 1) : new ByteRange($"bytes={offset}-");
        var response = await Call("GET", key, () => _client.GetObjectAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        try
        {
            var announced = response.ContentLength;
            var total = TotalSize(response.ContentRange) ?? announced;
            if (length is { } want && announced != want && offset + want <= total)
                throw new ObjectStoreException(ObjectStoreError.Integrity, key, $"asked for {want} bytes of '{key}' at {offset}, the server announced {announced}");
            return new ObjectContent(new LengthCheckedStream(response.ResponseStream, announced, response, key), offset, announced, total,
                ContentMd5.Normalize(response.ETag));
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>The total of a <c>Content-Range: bytes a-b/total</c>, or null.</summary>
    private static long? TotalSize(string? contentRange)
    {
        var slash = contentRange?.LastIndexOf('/') ?? -1;
        return slash >= 0 && long.TryParse(contentRange![(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var total) ? total : null;
    }

    public async Task<ObjectEntry?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        var full = Full(key);
        try
        {
            var response = await Call("HEAD", key,
                () => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Location.Bucket, Key = full }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            return new ObjectEntry(key, response.ContentLength, Time(response.LastModified), ContentMd5.Normalize(response.ETag));
        }
        catch (ObjectStoreException e) when (e.Error == ObjectStoreError.NotFound)
        {
            return null;
        }
    }

    public async Task<ObjectEntry> PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(content);
        var full = Full(key);
        var md5 = await ContentMd5.OfAsync(content, cancellationToken).ConfigureAwait(false);
        var start = content.Position;
        var size = content.Length - start;
        var request = S3ClientFactory.Safe(new PutObjectRequest
        {
            BucketName = Location.Bucket, Key = full, InputStream = content, AutoCloseStream = false, AutoResetStreamPosition = false,
            MD5Digest = Convert.ToBase64String(md5), ContentType = "application/octet-stream",
        });
        var response = await Call("PUT", key, () => _client.PutObjectAsync(request, cancellationToken), cancellationToken).ConfigureAwait(false);
        var etag = ContentMd5.Normalize(response.ETag);
        if (etag != Convert.ToHexStringLower(md5))
        {
            await DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
            throw new ObjectStoreException(ObjectStoreError.Integrity, key,
                $"the object store stored something else under '{key}' (ETag {etag}, sent MD5 {Convert.ToHexStringLower(md5)}); it was deleted");
        }
        return new ObjectEntry(key, size, DateTimeOffset.UtcNow, etag);
    }

    public async Task CopyAsync(string sourceKey, string targetKey, CancellationToken cancellationToken = default)
    {
        var (source, target) = (Full(sourceKey), Full(targetKey));
        await Call("COPY", targetKey, () => _client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = Location.Bucket, SourceKey = source, DestinationBucket = Location.Bucket, DestinationKey = target,
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var full = Full(key);
        try
        {
            await Call("DELETE", key, () => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Location.Bucket, Key = full }, cancellationToken),
                cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException e) when (e.Error == ObjectStoreError.NotFound)
        {
        }
    }

    public async IAsyncEnumerable<ObjectEntry> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (prefix.Length > 0) ObjectKeys.Require(prefix, nameof(prefix));
        var request = new ListObjectsV2Request { BucketName = Location.Bucket, Prefix = Location.Prefix + prefix, MaxKeys = 1000 };
        while (true)
        {
            var page = await Call("LIST", prefix, () => _client.ListObjectsV2Async(request, cancellationToken), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
                yield return new ObjectEntry(Relative(item.Key), item.Size ?? 0, Time(item.LastModified), ContentMd5.Normalize(item.ETag));
            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken)) yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public Uri PresignGet(string key, TimeSpan validFor)
    {
        if (validFor <= TimeSpan.Zero || validFor > TimeSpan.FromDays(7)) throw new ArgumentOutOfRangeException(nameof(validFor), "1 s to 7 days (SigV4's limit)");
        var url = _client.GetPreSignedURL(new GetPreSignedUrlRequest
        {
            BucketName = Location.Bucket, Key = Full(key), Verb = HttpVerb.GET, Expires = DateTime.UtcNow + validFor,
            Protocol = Location.Endpoint?.Scheme == "http" ? Protocol.HTTP : Protocol.HTTPS,
        });
        return new Uri(url);
    }

    private static DateTimeOffset Time(DateTime? value) =>
        value is { } t ? new DateTimeOffset(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime()) : DateTimeOffset.UnixEpoch;

    public void Dispose() => _client.Dispose();
}
