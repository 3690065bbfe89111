using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Wire;

/// <summary>
/// Error codes of the distribution spec.
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#error-codes
/// </summary>
public static class ErrorCodes
{
    public const string BlobUnknown = "BLOB_UNKNOWN";
    public const string BlobUploadInvalid = "BLOB_UPLOAD_INVALID";
    public const string BlobUploadUnknown = "BLOB_UPLOAD_UNKNOWN";
    public const string DigestInvalid = "DIGEST_INVALID";
    public const string ManifestBlobUnknown = "MANIFEST_BLOB_UNKNOWN";
    public const string ManifestInvalid = "MANIFEST_INVALID";
    public const string ManifestUnknown = "MANIFEST_UNKNOWN";
    public const string NameInvalid = "NAME_INVALID";
    public const string NameUnknown = "NAME_UNKNOWN";
    public const string SizeInvalid = "SIZE_INVALID";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Denied = "DENIED";
    public const string Unsupported = "UNSUPPORTED";
    public const string TooManyRequests = "TOOMANYREQUESTS";
}

/// <summary>The JSON body of a 4xx/5xx reply: <c>{"errors":[{code,message,detail}]}</c>.</summary>
public sealed record ErrorResponse([property: JsonPropertyName("errors")] IReadOnlyList<ErrorEntry> Errors);

public sealed record ErrorEntry(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("detail")] object? Detail = null);

/// <summary>Headers of the distribution spec and its extensions.</summary>
public static class OciHeaders
{
    public const string ContentDigest = "Docker-Content-Digest";
    public const string ApiVersion = "Docker-Distribution-API-Version";
    public const string Subject = "OCI-Subject";
    public const string FiltersApplied = "OCI-Filters-Applied";
    public const string ChunkMinLength = "OCI-Chunk-Min-Length";
    public const string Tag = "OCI-Tag";
    public const string UploadUuid = "Docker-Upload-UUID";
}
