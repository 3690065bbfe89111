using AtymSecure.Primitives;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// A blob store whose blobs a client can fetch itself (an object store's presigned URLs): the registry then answers a
/// blob GET with <c>307 Temporary Redirect</c> to the URL, as distribution does, after its own checks (authorization,
/// the repository's link, the blob's existence). The URL grants exactly one object for a limited time.
/// </summary>
public interface IBlobRedirects
{
    /// <summary>A URL that serves the committed blob <paramref name="digest"/> for <paramref name="validFor"/>.</summary>
    Uri DownloadUrl(Digest digest, TimeSpan validFor);
}
