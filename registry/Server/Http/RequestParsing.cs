using System.Globalization;
using AtymSecure.Oci.Wire;
using Microsoft.AspNetCore.Http;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Http;

/// <summary>Validation of names, digests and headers taken from requests, as spec errors.</summary>
internal static class RequestParsing
{
    public static void RequireValidName(string name)
    {
        if (!Reference.IsValidRepository(name)) throw RegistryException.NameInvalid(name);
    }

    public static Digest RequireDigest(string? text)
    {
        if (!Digest.TryParse(text, out var digest, out var error)) throw RegistryException.DigestInvalid(text, error!);
        return digest;
    }

    /// <summary>A digest the server can compute (sha256, sha512); others are refused on push.</summary>
    public static Digest RequireSupportedDigest(string? text)
    {
        var digest = RequireDigest(text);
        if (!digest.IsSupported) throw RegistryException.DigestInvalid(text, $"algorithm '{digest.Algorithm}' is not supported (sha256, sha512)");
        return digest;
    }

    public static long? ContentLength(HttpRequest request) => request.ContentLength;

    /// <summary>
    /// Parses a chunk's <c>Content-Range: &lt;start&gt;-&lt;end&gt;</c> (inclusive; a <c>bytes </c> or <c>bytes=</c>
    /// prefix is tolerated). Returns null when absent (streamed upload).
    /// </summary>
    public static (long Start, long Length)? ChunkRange(HttpRequest request)
    {
        var header = request.Headers.ContentRange.ToString();
        if (string.IsNullOrEmpty(header)) return null;
        var text = header.Trim();
        if (text.StartsWith("bytes", StringComparison.OrdinalIgnoreCase)) text = text[5..].TrimStart(' ', '=');
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) text = text[..slash];
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0
            || !long.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || end < start)
            throw new RegistryException(416, ErrorCodes.BlobUploadInvalid,
                $"Content-Range '{RegistryException.Truncate(header, 100)}' is not <start>-<end> with start <= end");
        return (start, end - start + 1);
    }

    /// <summary>The length a chunk declares, cross-checking Content-Range against Content-Length.</summary>
    public static long? DeclaredLength(HttpRequest request, (long Start, long Length)? range)
    {
        var contentLength = request.ContentLength;
        if (range is { } r && contentLength is { } cl && cl != r.Length)
            throw new RegistryException(400, ErrorCodes.SizeInvalid,
                $"Content-Length {cl} does not match Content-Range, which spans {r.Length} bytes");
        return contentLength ?? range?.Length;
    }

    public static int? NonNegativeInt(HttpRequest request, string name)
    {
        var values = request.Query[name];
        if (values.Count == 0) return null;
        if (values.Count > 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            throw RegistryException.Unsupported($"query parameter '{name}' must be one non-negative integer");
        return value;
    }
}
