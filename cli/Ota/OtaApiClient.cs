using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace AtymSecure.Cli.Ota;

/// <summary>
/// The operator API over HTTP, as every <c>atym ota</c> verb uses it (so scripts and tests reach the same code as the
/// server's own tests). A problem+json refusal becomes <see cref="OtaApiException"/> with the server's code, field and
/// sentence, which the CLI prints as <c>atym ota: TITLE: DETAIL (…)</c> with exit code 1.
/// </summary>
internal sealed class OtaApiClient : IDisposable
{
    public const string TokenVariable = "ATYM_OTA_TOKEN";

    private readonly HttpClient _http;

    public OtaApiClient(Uri server, string? token, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = server;
        _http.Timeout = TimeSpan.FromSeconds(100);
        if (token is not null) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        using var response = await SendCheckedAsync(method, path, body, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>
    /// Every item of a paged list (<c>GET</c> answers that are JSON arrays and name the next page in an RFC 8288
    /// <c>Link: &lt;…&gt;; rel="next"</c> header), following the links until a page has none or <paramref name="max"/>
    /// items are in hand.
    /// </summary>
    public async Task<List<JsonElement>> GetAllPagesAsync(string path, int? max, CancellationToken ct)
    {
        var items = new List<JsonElement>();
        string? next = path;
        while (next is not null && (max is null || items.Count < max))
        {
            using var response = await SendCheckedAsync(HttpMethod.Get, next, null, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
            using var page = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            items.AddRange(page.RootElement.EnumerateArray().Select(e => e.Clone()));
            next = NextPage(response);
        }
        return max is { } m && items.Count > m ? items[..m] : items;
    }

    private static string? NextPage(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var links)) return null;
        foreach (var link in links.SelectMany(l => l.Split(',')))
        {
            var parts = link.Split(';', StringSplitOptions.TrimEntries);
            if (parts.Length > 1 && parts[0].StartsWith('<') && parts[0].EndsWith('>') && parts.Skip(1).Contains("rel=\"next\"", StringComparer.Ordinal))
                return parts[0][1..^1];
        }
        return null;
    }

    /// <summary>Sends <paramref name="body"/> and copies a successful answer's bytes to <paramref name="destination"/> (an export, not JSON).</summary>
    public async Task DownloadAsync(HttpMethod method, string path, object? body, Stream destination, CancellationToken ct)
    {
        using var response = await SendCheckedAsync(method, path, body, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        await response.Content.CopyToAsync(destination, ct).ConfigureAwait(false);
    }

    /// <summary>The one request path of both: <paramref name="body"/> as JSON, an unreachable server or a refusal as
    /// <see cref="OtaApiException"/>; a successful response is the caller's to read and dispose.</summary>
    private async Task<HttpResponseMessage> SendCheckedAsync(HttpMethod method, string path, object? body, HttpCompletionOption completion, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, new Uri(path.TrimStart('/'), UriKind.Relative));
        if (body is not null) request.Content = JsonContent.Create(body, options: JsonOptions);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new OtaApiException($"cannot reach the OTA server at {_http.BaseAddress}: {e.Message}", e);
        }
        if (response.IsSuccessStatusCode) return response;
        using (response)
            throw OtaApiException.From(response, await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
    }

    /// <summary>
    /// Follows the background job <paramref name="id"/> (<c>GET /api/v1/jobs/{id}</c>) until it has succeeded or failed and
    /// returns its last state; each new progress line goes to <paramref name="progress"/>. The job's state is only visible
    /// through the API, so this polls it (every <paramref name="every"/>); past <paramref name="timeout"/> it throws.
    /// </summary>
    public async Task<JsonElement> FollowJobAsync(string id, TimeSpan timeout, TimeSpan every, Action<string>? progress, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        string? said = null;
        while (true)
        {
            var job = await SendAsync(HttpMethod.Get, $"api/v1/jobs/{id}", null, ct).ConfigureAwait(false);
            if (job.TryGetProperty("progress", out var p) && p.GetString() is { } line && line != said) progress?.Invoke(said = line);
            var state = job.GetProperty("state").GetString();
            if (state is "succeeded" or "failed") return job;
            if (DateTimeOffset.UtcNow > deadline) throw new TimeoutException($"job {id} still {state} after {timeout}; follow it at /api/v1/jobs/{id}");
            await Task.Delay(every, ct).ConfigureAwait(false);
        }
    }

    /// <summary>A failed job's <c>code: message</c>.</summary>
    public static string JobError(JsonElement job)
    {
        var error = job.GetProperty("error");
        return $"{error.GetProperty("code").GetString()}: {error.GetProperty("message").GetString()}";
    }

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public void Dispose() => _http.Dispose();
}

/// <summary>A refusal from the OTA server (its problem code and field) or an unreachable server.</summary>
public sealed class OtaApiException : IOException
{
    public OtaApiException() { }

    public OtaApiException(string message) : base(message) { }

    public OtaApiException(string message, Exception inner) : base(message, inner) { }

    public int Status { get; private init; }

    public string? Code { get; private init; }

    /// <summary>
    /// A problem+json refusal as <c>TITLE: DETAIL (STATUS CODE at FIELD)</c>, then one line per further problem
    /// (<c>FIELD: MESSAGE</c>); the CLI prints it as <c>atym ota: …</c>.
    /// </summary>
    internal static OtaApiException From(HttpResponseMessage response, string body)
    {
        var status = (int)response.StatusCode;
        try
        {
            var root = JsonDocument.Parse(body).RootElement;
            var code = root.GetProperty("code").GetString();
            var title = root.TryGetProperty("title", out var t) ? t.GetString() : response.ReasonPhrase;
            var detail = root.GetProperty("detail").GetString();
            var errors = root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Array ? e.EnumerateArray().ToList() : [];
            var path = errors.Count > 0 ? errors[0].GetProperty("path").GetString() : null;
            var more = errors.Skip(1).Select(x => $"{Environment.NewLine}  {x.GetProperty("path").GetString()}: {x.GetProperty("message").GetString()}");
            return new OtaApiException($"{title}: {detail} ({status} {code}{(path is null or "$" ? "" : $" at {path}")}){string.Concat(more)}") { Status = status, Code = code };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return new OtaApiException($"the OTA server answered {status} {response.ReasonPhrase}") { Status = status };
        }
    }
}
