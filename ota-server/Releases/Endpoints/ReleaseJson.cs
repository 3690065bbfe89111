using System.Text.Json;
using System.Text.Json.Serialization;
using AtymSecure.Primitives;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.OtaReleases;

/// <summary>How releases, jobs and assignments are written on the API and in the audit log: camelCase, enums kebab-case.</summary>
public static class ReleaseJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower), new EquatableCollectionJsonConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads a JSON body into memory under <paramref name="maxBytes"/> (413 beyond it, 415 for another media type).</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, int maxBytes)
    {
        ArgumentNullException.ThrowIfNull(request);
        var mediaType = request.ContentType?.Split(';', 2)[0].Trim();
        if (!string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
            throw new OtaContracts.OtaProblemException(415, OtaContracts.OtaProblemCodes.UnsupportedMediaType, "Content-Type", $"expected application/json, got '{mediaType ?? "(none)"}'");
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw TooLarge(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private static OtaContracts.OtaProblemException TooLarge(int maxBytes) =>
        new(413, OtaContracts.OtaProblemCodes.BodyTooLarge, "body", $"request body larger than {maxBytes} bytes");
}
