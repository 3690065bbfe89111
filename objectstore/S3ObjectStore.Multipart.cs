using System.Runtime.CompilerServices;
using Amazon.S3.Model;

namespace AtymSecure.ObjectStore;

/// <summary>
/// Multipart uploads. Every part's ETag is checked: an uploaded part's against the MD5 we computed, a copied part's is kept
/// as the server gives it. Completion checks the object: its ETag against the multipart ETag of the parts' MD5s, its size
/// against their sum; an object that fails is deleted at once, so nothing wrong stays visible under the key.
/// </summary>
public sealed partial class S3ObjectStore
{
    /// <summary>S3's bounds: parts 1–10000, each at least 5 MiB except the last, at most 5 GiB.</summary>
    public const int MaxParts = 10_000;

    public const long MinPartSize = 5L << 20;
    public const long MaxPartSize = 5L << 30;

    public async Task<MultipartUpload> StartMultipartAsync(string key, CancellationToken cancellationToken = default)
    {
        var full = Full(key);
        var response = await Call("START multipart", key, () => _client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest
        {
            BucketName = Location.Bucket, Key = full, ContentType = "application/octet-stream",
        }, cancellationToken), cancellationToken).ConfigureAwait(false);
        return new MultipartUpload(key, response.UploadId);
    }

    public async Task<UploadedPart> UploadPartAsync(MultipartUpload upload, int partNumber, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, MaxParts);
        var md5 = await ContentMd5.OfAsync(content, cancellationToken).ConfigureAwait(false);
        var size = content.Length - content.Position;
        var request = S3ClientFactory.Safe(new UploadPartRequest
        {
            BucketName = Location.Bucket, Key = Full(upload.Key), UploadId = upload.UploadId, PartNumber = partNumber,
            InputStream = content, PartSize = size, MD5Digest = Convert.ToBase64String(md5),
        });
        var response = await Call($"UPLOAD part {partNumber}", upload.Key, () => _client.UploadPartAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        var etag = ContentMd5.Normalize(response.ETag);
        if (etag != Convert.ToHexStringLower(md5))
            throw new ObjectStoreException(ObjectStoreError.Integrity, upload.Key,
                $"part {partNumber} of '{upload.Key}' was stored as something else (ETag {etag}, sent MD5 {Convert.ToHexStringLower(md5)})");
        return new UploadedPart(partNumber, etag, size);
    }

    public async Task<UploadedPart> CopyPartAsync(MultipartUpload upload, int partNumber, string sourceKey, long offset, long length,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentOutOfRangeException.ThrowIfLessThan(partNumber, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partNumber, MaxParts);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        var request = new CopyPartRequest
        {
            SourceBucket = Location.Bucket, SourceKey = Full(sourceKey), DestinationBucket = Location.Bucket, DestinationKey = Full(upload.Key),
            UploadId = upload.UploadId, PartNumber = partNumber, FirstByte = offset, LastByte = offset + length - 1,
        };
        var response = await Call($"COPY part {partNumber}", upload.Key, () => _client.CopyPartAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        return new UploadedPart(partNumber, ContentMd5.Normalize(response.ETag), length);
    }

    public async Task<ObjectEntry> CompleteMultipartAsync(MultipartUpload upload, IReadOnlyList<UploadedPart> parts, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Count == 0) throw new ArgumentException("a multipart upload needs at least one part", nameof(parts));
        for (var i = 0; i < parts.Count; i++)
            if (parts[i].Number != i + 1) throw new ArgumentException($"part {i + 1} is numbered {parts[i].Number}: parts must be 1..N in order", nameof(parts));
        var full = Full(upload.Key);
        var request = new CompleteMultipartUploadRequest
        {
            BucketName = Location.Bucket, Key = full, UploadId = upload.UploadId,
            PartETags = parts.Select(p => new PartETag(p.Number, $"\"{p.ETag}\"")).ToList(),
        };
        var response = await Call("COMPLETE multipart", upload.Key, () => _client.CompleteMultipartUploadAsync(request, cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        var size = parts.Sum(p => p.Size);
        // Ceph RGW 16 answers CompleteMultipartUpload without an ETag the SDK reads: take the object's own from a HEAD.
        var head = await HeadAsync(upload.Key, CancellationToken.None).ConfigureAwait(false);
        var etag = ContentMd5.Normalize(response.ETag) is { Length: > 0 } answered ? answered : head?.ETag ?? "";
        var md5s = parts.Select(p => ContentMd5.TryParsePlain(p.ETag)).ToList();
        string? problem = null;
        if (head is null)
            problem = "it is not there after completion";
        else if (head.Size != size)
            problem = $"it has {head.Size} bytes, the parts {size}";
        else if (md5s.All(m => m is not null) && etag != ContentMd5.MultipartETag(md5s!))
            problem = $"its ETag {etag} is not the one of the parts sent ({ContentMd5.MultipartETag(md5s!)})";
        if (problem is not null)
        {
            await DeleteAsync(upload.Key, CancellationToken.None).ConfigureAwait(false);
            throw new ObjectStoreException(ObjectStoreError.Integrity, upload.Key, $"the completed object '{upload.Key}' is wrong: {problem}; it was deleted");
        }
        return new ObjectEntry(upload.Key, size, DateTimeOffset.UtcNow, etag);
    }

    public async Task AbortMultipartAsync(MultipartUpload upload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(upload);
        var full = Full(upload.Key);
        try
        {
            await Call("ABORT multipart", upload.Key, () => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
            {
                BucketName = Location.Bucket, Key = full, UploadId = upload.UploadId,
            }, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        catch (ObjectStoreException e) when (e.Error is ObjectStoreError.NoSuchUpload or ObjectStoreError.NotFound)
        {
        }
    }

    public async IAsyncEnumerable<(MultipartUpload Upload, DateTimeOffset Initiated)> ListMultipartAsync(string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (prefix.Length > 0) ObjectKeys.Require(prefix, nameof(prefix));
        var request = new ListMultipartUploadsRequest { BucketName = Location.Bucket, Prefix = Location.Prefix + prefix, MaxUploads = 1000 };
        while (true)
        {
            var page = await Call("LIST multipart", prefix, () => _client.ListMultipartUploadsAsync(request, cancellationToken), cancellationToken)
                .ConfigureAwait(false);
            foreach (var item in page.MultipartUploads ?? [])
                yield return (new MultipartUpload(Relative(item.Key), item.UploadId), Time(item.Initiated));
            if (page.IsTruncated != true) yield break;
            request.KeyMarker = page.NextKeyMarker;
            request.UploadIdMarker = page.NextUploadIdMarker;
        }
    }
}
