using System.Net;
using System.Text.RegularExpressions;

namespace AtymSecure.OtaDashboard.Tests.Support;

/// <summary>
/// What a browser does with the dashboard, over HTTP: keeps the cookies it is given (name → value; the raw
/// <c>Set-Cookie</c> lines too, to check their attributes), never follows redirects (tests read them), reads a page's
/// antiforgery token from its form and posts forms with it.
/// </summary>
internal sealed partial class UiClient(HttpClient http) : IDisposable
{
    public Dictionary<string, string> Cookies { get; } = new(StringComparer.Ordinal);

    public List<string> SetCookieLines { get; } = [];

    public async Task<HttpResponseMessage> GetAsync(string path, string? accept = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        return await SendAsync(request, HttpCompletionOption.ResponseContentRead);
    }

    public async Task<string> PageAsync(string path)
    {
        using var response = await GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The antiforgery token of the first form on <paramref name="path"/> (which also sets the antiforgery cookie).</summary>
    public async Task<string> CsrfAsync(string path) => CsrfOf(await PageAsync(path));

    public static string CsrfOf(string html) => Csrf().Match(html) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new Xunit.Sdk.XunitException("the page has no antiforgery field");

    /// <summary>Posts a form; <paramref name="csrf"/> is added as <c>_csrf</c> when given; <paramref name="origin"/> as the Origin header.</summary>
    public async Task<HttpResponseMessage> PostAsync(string path, IEnumerable<KeyValuePair<string, string>> fields, string? csrf, string? origin = null)
    {
        var all = fields.ToList();
        if (csrf is not null) all.Add(KeyValuePair.Create("_csrf", csrf));
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(all) };
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await SendAsync(request, HttpCompletionOption.ResponseContentRead);
    }

    /// <summary>Logs in with <paramref name="token"/> through the login form; returns the answer (302 on success).</summary>
    public async Task<HttpResponseMessage> LoginAsync(string token)
    {
        var csrf = await CsrfAsync("/ui/login");
        return await PostAsync("/ui/login", [KeyValuePair.Create("token", token)], csrf);
    }

    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion)
    {
        if (Cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
        var response = await http.SendAsync(request, completion);
        if (response.Headers.TryGetValues("Set-Cookie", out var lines))
            foreach (var line in lines)
            {
                SetCookieLines.Add(line);
                var pair = line.Split(';')[0];
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                var (name, value) = (pair[..eq], pair[(eq + 1)..]);
                if (value.Length == 0 || line.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) Cookies.Remove(name);
                else Cookies[name] = value;
            }
        return response;
    }

    public void Dispose() => http.Dispose();

    [GeneratedRegex("name=\"_csrf\" value=\"([^\"]+)\"")]
    private static partial Regex Csrf();
}
