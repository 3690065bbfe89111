using System.Net;
using System.Text;
using System.Text.Json;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Remote;

/// <summary>Turns an unexpected registry reply into a typed exception with the parsed OCI error codes.</summary>
internal static class ResponseErrors
{
    private const int MaxErrorBody = 64 * 1024;

    public static async Task<Exception> CreateAsync(HttpResponseMessage response, string? notFoundWhat, CancellationToken ct)
    {
        var request = response.RequestMessage;
        var body = await ReadLimitedAsync(response, MaxErrorBody, ct).ConfigureAwait(false);
        var errors = Parse(body);
        var text = errors.Count == 0 ? Excerpt(body) : null;
        var error = new RegistryResponseException(request?.Method ?? HttpMethod.Get, request?.RequestUri, response.StatusCode, errors, text);
        if (response.StatusCode == HttpStatusCode.NotFound && notFoundWhat is not null)
            return new NotFoundException($"{notFoundWhat}: not found ({error.Message})", error);
        return error;
    }

    public static async Task<Exception> ThrowAsync(HttpResponseMessage response, string? notFoundWhat, CancellationToken ct) =>
        throw await CreateAsync(response, notFoundWhat, ct).ConfigureAwait(false);

    /// <summary>Parses <c>{"errors":[...]}</c>; anything else (or malformed entries) yields an empty list, never an exception.</summary>
    internal static IReadOnlyList<ErrorEntry> Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty) return [];
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray(), new JsonDocumentOptions { MaxDepth = 32 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("errors", out var list) || list.ValueKind != JsonValueKind.Array)
                return [];
            var result = new List<ErrorEntry>();
            foreach (var e in list.EnumerateArray())
            {
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("code", out var code) || code.ValueKind != JsonValueKind.String)
                    continue;
                var message = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                var detail = e.TryGetProperty("detail", out var d) ? d.GetRawText() : null;
                result.Add(new ErrorEntry(code.GetString()!, message, detail));
            }
            return result;
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string? Excerpt(byte[] body)
    {
        if (body.Length == 0) return null;
        var text = Encoding.UTF8.GetString(body, 0, Math.Min(body.Length, 300)).ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? null : text;
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes of a body (the rest is dropped).</summary>
    public static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, CancellationToken ct)
    {
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[limit];
            var total = 0;
            int n;
            while (total < limit && (n = await stream.ReadAsync(buffer.AsMemory(total), ct).ConfigureAwait(false)) > 0) total += n;
            return buffer[..total];
        }
    }

    /// <summary>Reads a whole body that must not exceed <paramref name="limit"/> bytes (manifests, indexes, tag lists).</summary>
    public static async Task<byte[]> ReadBoundedAsync(HttpResponseMessage response, long limit, string what, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength is { } declared && declared > limit)
            throw new SizeMismatchException($"{what}: registry declares {declared} bytes, limit is {limit}");
        var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int n;
            while ((n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > limit) throw new SizeMismatchException($"{what}: body exceeds the limit of {limit} bytes");
                buffer.Write(chunk, 0, n);
            }
            return buffer.ToArray();
        }
    }
}

/// <summary>Public entry to the error-body parser (used by the CLI to print registry errors, and by fuzz tests).</summary>
public static class ResponseErrorsProbe
{
    public static IReadOnlyList<ErrorEntry> Parse(ReadOnlySpan<byte> body) => ResponseErrors.Parse(body);
}
