using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Remote;

/// <summary>Settings shared by <see cref="Registry"/> and <see cref="Repository"/>.</summary>
public sealed class RemoteOptions
{
    /// <summary>The client to send with (not disposed by us). Null uses one shared pooled client.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>True forces http://, false forces https://, null picks http only for loopback hosts.</summary>
    public bool? PlainHttp { get; init; }

    public ICredentialProvider? Credentials { get; init; }

    public RetryPolicy Retry { get; init; } = new();

    /// <summary>Blobs of at least this many bytes are uploaded in chunks (PATCH + Content-Range); smaller ones in one PUT.</summary>
    public long ChunkedUploadThreshold { get; init; } = 16L * 1024 * 1024;

    /// <summary>Bytes per PATCH (raised to the registry's OCI-Chunk-Min-Length when that is larger). Each chunk is held in memory so it can be re-sent.</summary>
    public int ChunkSize { get; init; } = 8 * 1024 * 1024;

    /// <summary>The <c>n</c> asked for per page of tags or catalog.</summary>
    public int PageSize { get; init; } = 1000;

    /// <summary>Largest manifest or referrers page accepted.</summary>
    public long MaxManifestBytes { get; init; } = OciJson.MaxManifestBytes;

    /// <summary>Accept header for manifest GET/HEAD.</summary>
    public IReadOnlyList<string> ManifestMediaTypes { get; init; } = MediaTypes.Manifests;

    public string UserAgent { get; init; } = "atym-oci/1.0";

    /// <summary>After moving a <c>sha256-&lt;hex&gt;</c> referrers tag, delete the index manifest it replaced (best effort), as ORAS does.</summary>
    public bool DeleteStaleReferrersIndex { get; init; } = true;

    /// <summary>Validates settings; throws <see cref="ArgumentException"/> naming every bad field.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Retry is null) errors.Add("Retry: required");
        else if (Retry.MaxAttempts < 1) errors.Add("Retry.MaxAttempts: must be at least 1");
        if (ChunkedUploadThreshold < 1) errors.Add("ChunkedUploadThreshold: must be positive");
        if (ChunkSize < 1) errors.Add("ChunkSize: must be positive");
        if (PageSize < 1) errors.Add("PageSize: must be positive");
        if (MaxManifestBytes < 2) errors.Add("MaxManifestBytes: must be at least 2");
        if (ManifestMediaTypes is null || ManifestMediaTypes.Count == 0) errors.Add("ManifestMediaTypes: at least one");
        if (errors.Count > 0) throw new ArgumentException("invalid RemoteOptions: " + string.Join("; ", errors));
    }
}
