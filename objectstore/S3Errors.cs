using System.Net;
using Amazon.Runtime;
using Amazon.S3;

namespace AtymSecure.ObjectStore;

/// <summary>Turns what AWSSDK throws into <see cref="ObjectStoreException"/>: the kind from the S3 error code or HTTP status,
/// the message naming the operation, bucket and key (the SDK's own message may quote the request, never the secret).</summary>
internal static class S3Errors
{
    public static ObjectStoreException Map(Exception e, string operation, ObjectStoreLocation location, string? key)
    {
        var where = key is null ? $"bucket '{location.Bucket}'" : $"'{key}' in bucket '{location.Bucket}'";
        var kind = e switch
        {
            AmazonS3Exception s3 => Kind(s3.ErrorCode, s3.StatusCode),
            AmazonServiceException service => Kind(service.ErrorCode, service.StatusCode),
            HttpRequestException or IOException or TimeoutException or TaskCanceledException => ObjectStoreError.Unavailable,
            AmazonClientException => ObjectStoreError.Unavailable,
            _ => ObjectStoreError.Rejected,
        };
        var detail = e is AmazonServiceException se ? $"{(int)se.StatusCode} {se.ErrorCode}: {se.Message}" : e.Message;
        return new ObjectStoreException(kind, key, $"object store {operation} of {where} at {location}: {kind} ({detail})", e);
    }

    private static ObjectStoreError Kind(string? code, HttpStatusCode status) => code switch
    {
        "NoSuchKey" => ObjectStoreError.NotFound,
        "NoSuchBucket" => ObjectStoreError.NoSuchBucket,
        "NoSuchUpload" => ObjectStoreError.NoSuchUpload,
        "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "RequestTimeTooSkewed" => ObjectStoreError.AccessDenied,
        "InvalidRange" => ObjectStoreError.InvalidRange,
        "BadDigest" or "InvalidDigest" or "IncompleteBody" => ObjectStoreError.Integrity,
        _ => status switch
        {
            HttpStatusCode.NotFound => ObjectStoreError.NotFound,
            HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized => ObjectStoreError.AccessDenied,
            HttpStatusCode.RequestedRangeNotSatisfiable => ObjectStoreError.InvalidRange,
            >= HttpStatusCode.InternalServerError => ObjectStoreError.Unavailable,
            _ => ObjectStoreError.Rejected,
        },
    };

    /// <summary>Whether <paramref name="e"/> is one the mapping handles (everything the SDK or the network throws, not a caller's cancellation).</summary>
    public static bool IsStoreFailure(Exception e, CancellationToken cancellationToken) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException
        || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested);
}
