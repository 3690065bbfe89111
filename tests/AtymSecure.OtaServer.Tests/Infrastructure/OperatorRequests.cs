using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace AtymSecure.OtaServer.Tests.Infrastructure;

/// <summary>Operator API calls with a bearer token, as the CLI makes them.</summary>
public static class OperatorRequests
{
    public static Task<HttpResponseMessage> SendAsync(this OtaTestServer server, HttpMethod method, string path, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is string text) request.Content = new StringContent(text, Encoding.UTF8, "application/json");
        else if (body is not null) request.Content = JsonContent.Create(body);
        return server.Client.SendAsync(request);
    }

    /// <summary>Creates an operator token with the admin token and returns its text.</summary>
    /// <summary>The admin token of a server whose first start created it; it stays valid across restarts.</summary>
    public static async Task<string> CreateTokenAsync(this OtaTestServer server, string role, string[]? groups = null, DateTimeOffset? expiresAt = null)
    {
        var response = await server.SendAsync(HttpMethod.Post, "/api/v1/tokens", server.AdminToken ?? throw new InvalidOperationException("no admin token"),
            new { label = role + " token", role, groups, expiresAt }).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>Creates a fleet enrolment token with the admin token and returns its text.</summary>
    public static async Task<string> CreateEnrollmentTokenAsync(this OtaTestServer server, long? uses = null, string[]? groups = null)
    {
        var response = await server.SendAsync(HttpMethod.Post, "/api/v1/enrollment-tokens", server.AdminToken, new { label = "fleet", uses, groups }).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    /// <summary>The audit log's entries of one action (oldest first), read through <c>GET /api/v1/audit</c> with the admin token.</summary>
    public static async Task<List<JsonElement>> AuditEntriesAsync(this OtaTestServer server, string action)
    {
        var response = await server.SendAsync(HttpMethod.Get, "/api/v1/audit?limit=1000", server.AdminToken).ConfigureAwait(false);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var page = await response.JsonAsync().ConfigureAwait(false);
        return [.. page.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("action").GetString() == action)];
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
