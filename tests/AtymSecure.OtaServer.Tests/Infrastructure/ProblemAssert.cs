using System.Net;
using System.Text.Json;

namespace AtymSecure.OtaServer.Tests.Infrastructure;

/// <summary>Checks that an answer is RFC 9457 problem+json with the expected status, code and (optionally) field.</summary>
public static class ProblemAssert
{
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code, string? path = null)
    {
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var root = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)status, root.GetProperty("status").GetInt32());
        Assert.Equal(code, root.GetProperty("code").GetString());
        Assert.Equal("https://atym.dev/problems/" + code, root.GetProperty("type").GetString());
        if (path is not null) Assert.Contains(root.GetProperty("errors").EnumerateArray(), e => e.GetProperty("path").GetString() == path);
        return root;
    }
}
