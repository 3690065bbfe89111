using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AtymSecure.Oci.Wire;
using AtymSecure.Registry.Auth;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Auth;

/// <summary>The Docker token flow against the registry's own /token endpoint, with people, robots and anonymous pull.</summary>
public sealed class TokenAuthFlowTests : IAsyncLifetime
{
    private LoopbackRegistry _registry = null!;
    private string _configDirectory = "";
    private HttpClient Client => _registry.Client;

    public async Task InitializeAsync()
    {
        _configDirectory = Path.Combine(Path.GetTempPath(), "atym-registry-tests", "auth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_configDirectory);
        var config = Path.Combine(_configDirectory, "auth.yaml");
        await File.WriteAllTextAsync(config, $"""
            service: atym-registry
            tokenLifetime: "00:05:00"
            anonymous:
              - repositories: "public/**"
                actions: [pull]
            accounts:
              - name: alice
                passwordHash: "{PasswordHasher.Hash("alice-secret", 10_000)}"
                grants:
                  - repositories: "team/**"
                    actions: [pull, push, delete]
                  - repositories: "public/**"
                    actions: ["*"]
              - name: ci
                robot: true
                passwordHash: "{PasswordHasher.Hash("ci-secret", 10_000)}"
                grants:
                  - repositories: "team/*"
                    actions: [pull]
                  - repositories: "team/ci/*"
                    actions: [pull, push]
            """);
        _registry = await LoopbackRegistry.StartAsync(o => o with { AuthConfigPath = config });
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        Directory.Delete(_configDirectory, true);
    }

    private async Task<string> TokenAsync(string? user, string? password, params string[] scopes)
    {
        var query = "service=atym-registry" + string.Concat(scopes.Select(s => "&scope=" + Uri.EscapeDataString(s)));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/token?" + query);
        if (user is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(300, json.RootElement.GetProperty("expires_in").GetInt32());
        return json.RootElement.GetProperty("token").GetString()!;
    }

    private HttpClient ClientWith(string token)
    {
        var client = _registry.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task Requests_without_a_token_get_401_with_a_bearer_challenge()
    {
        using var base_ = await Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.Unauthorized, base_.StatusCode);
        Assert.Equal(ErrorCodes.Unauthorized, await RegistryCalls.ErrorCodeAsync(base_));
        Assert.Equal($"Bearer realm=\"{_registry.Address}token\",service=\"atym-registry\"", base_.Headers.WwwAuthenticate.ToString());
        using var pull = await Client.GetAsync("/v2/team/app/manifests/v1");
        Assert.Equal(HttpStatusCode.Unauthorized, pull.StatusCode);
        Assert.Equal($"Bearer realm=\"{_registry.Address}token\",service=\"atym-registry\",scope=\"repository:team/app:pull\"",
            pull.Headers.WwwAuthenticate.ToString());
        using var push = await Client.PostAsync("/v2/team/app/blobs/uploads/", null);
        Assert.Contains("scope=\"repository:team/app:push,pull\"", push.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_token_allows_push_pull_and_delete_on_granted_repositories()
    {
        var token = await TokenAsync("alice", "alice-secret", "repository:team/app:pull,push,delete");
        using var client = ClientWith(token);
        using (var ping = await client.GetAsync("/v2/")) Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        var (manifest, digest) = await client.PushImageAsync("team/app", "v1");
        using (var get = await client.GetAsync("/v2/team/app/manifests/v1")) Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        using (var delete = await client.DeleteAsync($"/v2/team/app/manifests/{digest}")) Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        // A token without delete, for an account that may delete: 401 asking for the wider scope, not 403.
        using var narrow = ClientWith(await TokenAsync("alice", "alice-secret", "repository:team/app:pull"));
        using (var refused = await narrow.DeleteAsync("/v2/team/app/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("scope=\"repository:team/app:delete\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
        // The token names team/app only: another repository needs a new token (401 with the scope to ask for).
        using var other = await client.GetAsync("/v2/team/other/tags/list");
        Assert.Equal(HttpStatusCode.Unauthorized, other.StatusCode);
        Assert.Contains("error=\"insufficient_scope\"", other.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_password_or_unknown_user_is_401_at_the_token_endpoint()
    {
        foreach (var (user, password) in new[] { ("alice", "wrong"), ("mallory", "x") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/token?service=atym-registry&scope=repository:team/app:pull");
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
            using var response = await Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal(ErrorCodes.Unauthorized, await RegistryCalls.ErrorCodeAsync(response));
        }
    }

    [Fact]
    public async Task Robot_rights_follow_its_patterns()
    {
        var admin = ClientWith(await TokenAsync("alice", "alice-secret", "repository:team/app:pull,push", "repository:team/ci/tool:pull,push"));
        await admin.PushImageAsync("team/app", "v1");

        var token = await TokenAsync("ci", "ci-secret", "repository:team/app:pull,push", "repository:team/ci/tool:pull,push",
            "repository:team/deep/er:pull");
        using var robot = ClientWith(token);
        using (var pull = await robot.GetAsync("/v2/team/app/manifests/v1")) Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        using (var push = await robot.PostAsync("/v2/team/app/blobs/uploads/", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
            Assert.Equal(ErrorCodes.Denied, await RegistryCalls.ErrorCodeAsync(push));
        }
        await robot.PushImageAsync("team/ci/tool", "v1"); // team/ci/* grants push
        using (var deep = await robot.GetAsync("/v2/team/deep/er/tags/list")) Assert.Equal(HttpStatusCode.Forbidden, deep.StatusCode); // '*' is one segment
        using (var delete = await robot.DeleteAsync("/v2/team/ci/tool/manifests/v1")) Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        admin.Dispose();
    }

    [Fact]
    public async Task Anonymous_tokens_allow_only_the_anonymous_grants()
    {
        var admin = ClientWith(await TokenAsync("alice", "alice-secret", "repository:public/tool:pull,push"));
        var (manifest, _) = await admin.PushImageAsync("public/tool", "v1");
        using var anonymous = ClientWith(await TokenAsync(null, null, "repository:public/tool:pull,push", "repository:team/app:pull"));
        using (var pull = await anonymous.GetAsync("/v2/public/tool/manifests/v1")) Assert.Equal(manifest, await pull.Content.ReadAsByteArrayAsync());
        using (var push = await anonymous.PutManifestAsync("public/tool", "v2", manifest)) Assert.Equal(HttpStatusCode.Forbidden, push.StatusCode);
        using (var team = await anonymous.GetAsync("/v2/team/app/tags/list")) Assert.Equal(HttpStatusCode.Forbidden, team.StatusCode);
        admin.Dispose();
    }

    [Fact]
    public async Task Mount_needs_pull_on_the_source()
    {
        var admin = ClientWith(await TokenAsync("alice", "alice-secret", "repository:team/secret:pull,push"));
        var digest = await admin.PushBlobAsync("team/secret", "secret layer"u8.ToArray());
        using var robot = ClientWith(await TokenAsync("ci", "ci-secret", "repository:team/ci/tool:pull,push"));
        using var mount = await robot.PostAsync($"/v2/team/ci/tool/blobs/uploads/?mount={digest}&from=team/secret", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode); // a fresh session, not the secret blob
        using var auto = await robot.PostAsync($"/v2/team/ci/tool/blobs/uploads/?mount={digest}", null);
        Assert.Equal(HttpStatusCode.Accepted, auto.StatusCode);
        admin.Dispose();
    }

    [Fact]
    public async Task Tampered_unsigned_other_kid_or_garbage_tokens_are_401()
    {
        var token = await TokenAsync("alice", "alice-secret", "repository:team/app:pull");
        var parts = token.Split('.');
        var payload = parts[1].Replace('-', '+').Replace('_', '/');
        payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
        var forged = Encoding.UTF8.GetString(Convert.FromBase64String(payload)).Replace("\"pull\"", "\"push\"", StringComparison.Ordinal);
        var forgedPart = Convert.ToBase64String(Encoding.UTF8.GetBytes(forged)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var algNone = Part("""{"alg":"none","typ":"JWT"}""") + "." + parts[1] + ".";
        var otherKid = Part("""{"alg":"ES256","typ":"JWT","kid":"AAAAAAAAAAAAAAAAAAAAAA"}""") + "." + parts[1] + "." + parts[2];
        foreach (var bad in new[] { parts[0] + "." + forgedPart + "." + parts[2], algNone, otherKid, "a.b.c", "garbage", token + "x" })
        {
            using var client = ClientWith(bad);
            using var response = await client.GetAsync("/v2/team/app/tags/list");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
    }
}
