using System.Security.Cryptography;

namespace AtymSecure.ObjectStore;

/// <summary>
/// MD5 as S3 uses it: the Content-MD5 header a server checks a body against, and the ETag it returns (the hex MD5 of a
/// single PUT or part; <c>hex(md5(md5(part1)‖…‖md5(partN)))-N</c> for a completed multipart object). Not a security
/// primitive here — content is addressed by SHA-256 — only a check that the server stored the bytes we sent.
/// </summary>
public static class ContentMd5
{
    /// <summary>The MD5 of <paramref name="content"/> from its current position to the end; the position is restored.</summary>
    public static async Task<byte[]> OfAsync(Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek) throw new ArgumentException("the content must be seekable (it is read for its MD5, then sent)", nameof(content));
        var start = content.Position;
#pragma warning disable CA5351 // MD5 is what S3's Content-MD5 and ETag are defined with; not used for security.
        var hash = await MD5.HashDataAsync(content, cancellationToken).ConfigureAwait(false);
#pragma warning restore CA5351
        content.Position = start;
        return hash;
    }

    /// <summary>The ETag S3 gives a multipart object completed from parts with these MD5s.</summary>
    public static string MultipartETag(IReadOnlyList<byte[]> partMd5s)
    {
        ArgumentNullException.ThrowIfNull(partMd5s);
        var all = partMd5s.SelectMany(p => p).ToArray();
#pragma warning disable CA5351
        return $"{Convert.ToHexStringLower(MD5.HashData(all))}-{partMd5s.Count}";
#pragma warning restore CA5351
    }

    /// <summary>The ETag without its quotes, lower case.</summary>
    public static string Normalize(string? etag) => (etag ?? "").Trim().Trim('"').ToLowerInvariant();

    /// <summary>The MD5 an ETag of a single PUT carries, or null when it is not one (a multipart or encrypted object's).</summary>
    public static byte[]? TryParsePlain(string? etag)
    {
        var text = Normalize(etag);
        if (text.Length != 32) return null;
        try
        {
            return Convert.FromHexString(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
