using System.Net;
using System.Text;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Tests.Infrastructure;

namespace AtymSecure.OtaServer.Tests.Endpoints;

/// <summary>Operator tokens (trust model §8): created by admins, shown once, hashed at rest, roles, expiry, revocation, audit.</summary>
public class TokenEndpointTests
{
    [Fact]
    public async Task An_admin_creates_a_token_that_works_and_whose_secret_is_nowhere_in_the_data_folder()
    {
        await using var server = await OtaTestServer.StartAsync();
        var viewer = await server.CreateTokenAsync("viewer");
        Assert.True(OperatorTokenText.TryParse(viewer, out var id, out var secret));
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "/api/v1/audit", viewer)).StatusCode);
        var listed = await (await server.SendAsync(HttpMethod.Get, "/api/v1/tokens", server.AdminToken)).JsonAsync();
        Assert.Contains(listed.EnumerateArray(), t => t.GetProperty("id").GetString() == id && t.GetProperty("role").GetString() == "viewer");
        Assert.DoesNotContain(secret, listed.ToString(), StringComparison.Ordinal);
        await server.RestartAsync();
        foreach (var file in Directory.GetFiles(server.DataDirectory, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            Assert.DoesNotContain(secret, await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Requests_without_a_good_token_get_401_with_the_reason()
    {
        await using var server = await OtaTestServer.StartAsync();
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/tokens", null), HttpStatusCode.Unauthorized, "unauthenticated");
        var (_, forged, _) = OperatorTokenText.Create();
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/tokens", forged), HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.True(OperatorTokenText.TryParse(server.AdminToken, out var adminId, out _));
        var (_, other, _) = OperatorTokenText.Create();
        var wrongSecret = $"atym_{adminId}_{other[14..]}";
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/tokens", wrongSecret), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Fact]
    public async Task An_expired_token_is_refused_once_its_time_has_come()
    {
        await using var server = await OtaTestServer.StartAsync();
        var token = await server.CreateTokenAsync("viewer", expiresAt: server.Clock.GetUtcNow().AddHours(1));
        Assert.Equal(HttpStatusCode.OK, (await server.SendAsync(HttpMethod.Get, "/api/v1/audit", token)).StatusCode);
        server.Clock.Advance(TimeSpan.FromHours(1));
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/audit", token), HttpStatusCode.Unauthorized, "token-expired");
    }

    [Fact]
    public async Task A_revoked_token_is_refused_at_once_and_the_revocation_is_audited_with_before_and_after()
    {
        await using var server = await OtaTestServer.StartAsync();
        var token = await server.CreateTokenAsync("deployer");
        Assert.True(OperatorTokenText.TryParse(token, out var id, out _));
        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, $"/api/v1/tokens/{id}", server.AdminToken)).StatusCode);
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/audit", token), HttpStatusCode.Unauthorized, "token-revoked");
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Delete, $"/api/v1/tokens/{id}", server.AdminToken), HttpStatusCode.Conflict, "conflict");
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Delete, "/api/v1/tokens/ffffffff", server.AdminToken), HttpStatusCode.NotFound, "not-found");
        var audit = await (await server.SendAsync(HttpMethod.Get, "/api/v1/audit", server.AdminToken)).JsonAsync();
        var revoke = audit.GetProperty("entries").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "token.revoke");
        Assert.Equal($"token/{id}", revoke.GetProperty("subject").GetString());
        Assert.Equal("bootstrap admin", revoke.GetProperty("actorLabel").GetString());
        Assert.Contains("\"revokedAt\":null", revoke.GetProperty("before").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("\"revokedAt\":null", revoke.GetProperty("after").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("releaser")]
    [InlineData("deployer")]
    public async Task Only_admins_manage_tokens(string role)
    {
        await using var server = await OtaTestServer.StartAsync();
        var token = await server.CreateTokenAsync(role);
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Post, "/api/v1/tokens", token, new { label = "x", role = "admin" }),
            HttpStatusCode.Forbidden, "forbidden");
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Post, "/api/v1/enrollment-tokens", token, new { label = "x" }),
            HttpStatusCode.Forbidden, "forbidden");
    }

    [Fact]
    public async Task A_group_scoped_token_may_not_read_the_whole_fleets_audit_log()
    {
        await using var server = await OtaTestServer.StartAsync();
        var scoped = await server.CreateTokenAsync("viewer", ["eu-test"]);
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/audit", scoped), HttpStatusCode.Forbidden, "out-of-scope");
    }

    [Theory]
    [InlineData("{\"label\":\"x\",\"role\":\"root\"}", "$.role", "invalid-field")]
    [InlineData("{\"label\":\"x\",\"role\":\"releaser\",\"groups\":[\"eu\"]}", "$.groups", "invalid-field")]
    [InlineData("{\"label\":\"x\",\"role\":\"viewer\",\"groups\":[\"EU Test\"]}", "$.groups[0]", "invalid-field")]
    [InlineData("{\"label\":\"\",\"role\":\"viewer\"}", "$.label", "invalid-field")]
    [InlineData("{\"label\":\"x\",\"role\":\"viewer\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}", "$.expiresAt", "invalid-field")]
    [InlineData("{\"label\":\"x\",\"role\":\"viewer\",\"admin\":true}", "$.admin", "unknown-field")]
    [InlineData("{\"label\":\"x\"}", "$", "malformed-json")]
    [InlineData("{\"label\":7,\"role\":\"viewer\"}", "$.label", "malformed-json")]
    [InlineData("[1,2]", "$", "malformed-json")]
    public async Task A_bad_token_request_is_a_400_naming_the_field_and_creates_nothing(string body, string path, string code)
    {
        await using var server = await OtaTestServer.StartAsync();
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Post, "/api/v1/tokens", server.AdminToken, body), HttpStatusCode.BadRequest, code, path);
        var listed = await (await server.SendAsync(HttpMethod.Get, "/api/v1/tokens", server.AdminToken)).JsonAsync();
        Assert.Equal(1, listed.GetArrayLength());
    }

    [Fact]
    public async Task Enrollment_tokens_are_created_shown_once_listed_and_revoked()
    {
        await using var server = await OtaTestServer.StartAsync();
        var created = await (await server.SendAsync(HttpMethod.Post, "/api/v1/enrollment-tokens", server.AdminToken,
            new { label = "line 3", uses = 5, groups = new[] { "eu-test" } })).JsonAsync();
        var text = created.GetProperty("token").GetString();
        Assert.True(OperatorTokenText.TryParse(text, OperatorTokenText.EnrollmentPrefix, out var id, out _));
        var listed = await (await server.SendAsync(HttpMethod.Get, "/api/v1/enrollment-tokens", server.AdminToken)).JsonAsync();
        Assert.Equal(5, listed.EnumerateArray().Single().GetProperty("usesLeft").GetInt64());
        Assert.Equal(HttpStatusCode.NoContent, (await server.SendAsync(HttpMethod.Delete, $"/api/v1/enrollment-tokens/{id}", server.AdminToken)).StatusCode);
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Post, "/api/v1/enrollment-tokens", server.AdminToken, new { label = "x", uses = 0 }),
            HttpStatusCode.BadRequest, "invalid-field", "$.uses");
    }

    [Fact]
    public async Task The_audit_log_pages_with_after_and_limit()
    {
        await using var server = await OtaTestServer.StartAsync();
        for (var i = 0; i < 3; i++) await server.CreateTokenAsync("viewer");
        var first = await (await server.SendAsync(HttpMethod.Get, "/api/v1/audit?limit=2", server.AdminToken)).JsonAsync();
        Assert.Equal(2, first.GetProperty("entries").GetArrayLength());
        var next = first.GetProperty("next").GetInt64();
        var rest = await (await server.SendAsync(HttpMethod.Get, $"/api/v1/audit?after={next}&limit=10", server.AdminToken)).JsonAsync();
        Assert.Equal([3L, 4L], rest.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rest.GetProperty("next").ValueKind);
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/audit?limit=0", server.AdminToken), HttpStatusCode.BadRequest, "invalid-field", "limit");
        await ProblemAssert.IsProblemAsync(await server.SendAsync(HttpMethod.Get, "/api/v1/audit?after=abc", server.AdminToken), HttpStatusCode.BadRequest, "invalid-request", "after");
    }
}
