using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace AtymSecure.ObjectStore;

/// <summary>
/// The one place AWSSDK.S3 is configured, because two of its defaults corrupt or refuse objects on every S3 server that is
/// not AWS (shared/reference/wave2-dependencies.md, checked against Ceph RGW, Swift s3api and s3rver):
/// <list type="bullet">
/// <item><c>RequestChecksumCalculation</c> / <c>ResponseChecksumValidation</c> default to WHEN_SUPPORTED: the SDK then
/// adds CRC trailers that Ceph and Swift refuse. Here WHEN_REQUIRED; integrity comes from Content-MD5 (checked by every
/// server) and from comparing the returned ETag with the MD5 we computed (<see cref="ContentMd5"/>).</item>
/// <item><c>UseChunkEncoding</c> defaults to true on PutObject/UploadPart: the SDK sends the body <c>aws-chunked</c>, and a
/// server that does not decode it stores the framing inside the object (1000 bytes read back as 1295) while answering
/// 200. Every PUT request here goes through <see cref="Safe(PutObjectRequest)"/> / <see cref="Safe(UploadPartRequest)"/>.</item>
/// </list>
/// Path-style addressing for servers on an IP address, the signing region from the location, http allowed for loopback
/// endpoints. Retries: the SDK's standard mode (3 attempts; bodies are seekable so they can be resent).
/// </summary>
public static class S3ClientFactory
{
    public static AmazonS3Client Create(ObjectStoreLocation location, ObjectStoreCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(credentials);
        var config = new AmazonS3Config
        {
            ForcePathStyle = location.PathStyle,
            AuthenticationRegion = location.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 3,
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (location.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.GetLeftPart(UriPartial.Authority);
            config.UseHttp = endpoint.Scheme == "http";
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(location.Region);
        }
        AWSCredentials keys = credentials.SessionToken is { } token
            ? new SessionAWSCredentials(credentials.AccessKey, credentials.SecretKey, token)
            : new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey);
        return new AmazonS3Client(keys, config);
    }

    /// <summary>A PutObject that is sent as plain bytes with its Content-MD5.</summary>
    public static PutObjectRequest Safe(PutObjectRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.UseChunkEncoding = false;
        return request;
    }

    /// <summary>An UploadPart that is sent as plain bytes with its Content-MD5.</summary>
    public static UploadPartRequest Safe(UploadPartRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.UseChunkEncoding = false;
        return request;
    }
}
