using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// The OTA server's operator API over HTTP with one operator token, as a script reads it: JSON in, JSON out, a
/// refusal fails the test with the server's problem+json. The server's URL never moves (a restart listens on the same
/// port), so one client serves across kills.
/// </summary>
internal sealed class OperatorApi(Uri server, string token) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30), DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };

    /// <summary><c>GET path</c> → its JSON, or null on 404.</summary>
    public async Task<JsonElement?> FindAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(server, path));
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        return await JsonOfAsync(response, "GET " + path);
    }

    public async Task<JsonElement> GetAsync(string path) => await FindAsync(path) ?? throw new InvalidOperationException($"GET {path}: 404");

    public async Task<JsonElement> PostAsync(string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(new Uri(server, path), content);
        return await JsonOfAsync(response, "POST " + path);
    }

    /// <summary><c>GET path</c> as text (<c>/metrics</c>).</summary>
    public Task<string> GetTextAsync(string path) => _http.GetStringAsync(new Uri(server, path));

    /// <summary><c>PUT path</c> with a JSON file as the body (the offline TUF documents).</summary>
    public async Task PutFileAsync(string path, string file)
    {
        using var body = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PutAsync(new Uri(server, path), body);
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary><c>PUT path</c> with a JSON body; fails the test on a refusal.</summary>
    public async Task PutJsonAsync(string path, object body)
    {
        using var content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json");
        using var response = await _http.PutAsync(new Uri(server, path), content);
        Assert.True(response.IsSuccessStatusCode, $"PUT {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary><c>PUT path</c> with a JSON file as the body, for a test that expects a refusal: the status and the body.</summary>
    public async Task<(System.Net.HttpStatusCode Status, string Body)> TryPutFileAsync(string path, string file)
    {
        using var body = new ByteArrayContent(await File.ReadAllBytesAsync(file));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PutAsync(new Uri(server, path), body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Every audit entry after <paramref name="after"/> (<c>GET /api/v1/audit</c>, paged to the end), oldest first.</summary>
    public async Task<List<JsonElement>> AuditAsync(long after = 0)
    {
        var entries = new List<JsonElement>();
        while (true)
        {
            var page = await GetAsync($"api/v1/audit?after={after}&limit=1000");
            entries.AddRange(page.GetProperty("entries").EnumerateArray());
            if (page.GetProperty("next") is not { ValueKind: JsonValueKind.Number } next) return entries;
            after = next.GetInt64();
        }
    }

    private static async Task<JsonElement> JsonOfAsync(HttpResponseMessage response, string what)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{what}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
