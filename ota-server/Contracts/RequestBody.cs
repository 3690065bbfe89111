using Microsoft.AspNetCore.Http;

namespace AtymSecure.OtaContracts;

/// <summary>
/// Reads a request body into memory under a cap, before any parsing: more than <c>maxBytes</c> is 413
/// <c>body-too-large</c> (checked against Content-Length first, then while reading, so a lying or chunked client is
/// cut off at the cap), a media type other than JSON is 415. One reader for the host and the releases and metadata
/// libraries' endpoints, so every body is capped the same way.
/// </summary>
public static class RequestBody
{
    public static async Task<byte[]> ReadJsonAsync(HttpRequest request, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mediaType = request.ContentType?.Split(';', 2)[0].Trim();
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
            throw new OtaProblemException(415, OtaProblemCodes.UnsupportedMediaType, "Content-Type", $"expected application/json, got '{mediaType ?? "(none)"}'");
        return await ReadAsync(request, maxBytes).ConfigureAwait(false);
    }

    /// <summary>Reads the body under the cap whatever its media type (uploaded TUF metadata files).</summary>
    public static async Task<byte[]> ReadAsync(HttpRequest request, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static OtaProblemException TooLarge(int maxBytes) =>
        new(413, OtaProblemCodes.BodyTooLarge, "body", $"request body larger than {maxBytes} bytes");
}
