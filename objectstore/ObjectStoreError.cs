namespace AtymSecure.ObjectStore;

/// <summary>What went wrong talking to an object store, in terms a caller can act on (not the server's error strings).</summary>
public enum ObjectStoreError
{
    /// <summary>The <c>s3://</c> location or its credentials are unusable (nothing was sent).</summary>
    InvalidLocation,

    /// <summary>The object does not exist (S3 <c>NoSuchKey</c>, 404).</summary>
    NotFound,

    /// <summary>The bucket does not exist (S3 <c>NoSuchBucket</c>).</summary>
    NoSuchBucket,

    /// <summary>The keys are wrong or lack the permission (403, <c>InvalidAccessKeyId</c>, <c>SignatureDoesNotMatch</c>).</summary>
    AccessDenied,

    /// <summary>A byte range outside the object (416).</summary>
    InvalidRange,

    /// <summary>What the server stored or returned is not what was sent (ETag/MD5 or length differs): the operation was
    /// undone where it could be, and nothing may be trusted from it.</summary>
    Integrity,

    /// <summary>A multipart upload the server no longer knows (<c>NoSuchUpload</c>: aborted, completed or expired).</summary>
    NoSuchUpload,

    /// <summary>The server refused the request for another reason (another 4xx).</summary>
    Rejected,

    /// <summary>The server could not be reached or failed (network error, timeout, 5xx): retrying later may work.</summary>
    Unavailable,
}
