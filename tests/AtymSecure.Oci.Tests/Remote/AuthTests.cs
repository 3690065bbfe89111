using System.Net;
using System.Text;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Oci.Tests.Fakes;

namespace AtymSecure.Oci.Tests.Remote;

public sealed class AuthTests
{
    private const string Basic = "Basic YWxpY2U6czNjcmV0"; // alice:s3cret

    /// <summary>Registry side: require "Bearer tok-*"; token side (auth.test): require alice's basic credentials.</summary>
    private static void RequireTokens(FakeRegistry fake, List<string> tokenRequests)
    {
        fake.Intercept = (req, _) =>
        {
            if (req.RequestUri!.Host == "auth.test")
            {
                lock (tokenRequests) tokenRequests.Add(req.RequestUri.Query);
                if (req.Headers.Authorization?.ToString() != Basic) return FakeRegistry.Error(HttpStatusCode.Unauthorized, "UNAUTHORIZED", "bad password");
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"token":"tok-1","expires_in":300}""", Encoding.UTF8, "application/json") };
            }
            if (req.Headers.Authorization?.ToString() == "Bearer tok-1") return null;
            var scope = req.Method == HttpMethod.Get || req.Method == HttpMethod.Head ? "pull" : "pull,push";
            var challenge = FakeRegistry.Error(HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            challenge.Headers.TryAddWithoutValidation("WWW-Authenticate",
                $"Bearer realm=\"https://auth.test/token\",service=\"registry.test\",scope=\"repository:demo/app:{scope}\"");
            return challenge;
        };
    }

    [Fact]
    public async Task Bearer_challenge_fetches_a_token_with_basic_credentials_and_caches_it_per_scope()
    {
        var tokenRequests = new List<string>();
        using var r = new FakeRemote(credentials: new StaticCredentialProvider("registry.test", new Credential("alice", "s3cret")));
        RequireTokens(r.Fake, tokenRequests);
        var repo = r.Repo();
        var d = await repo.PushBytesAsync("application/octet-stream", new byte[] { 1, 2, 3 });
        Assert.Equal([1, 2, 3], await repo.FetchAllAsync(d));
        Assert.Equal([1, 2, 3], await repo.FetchAllAsync(d));
        Assert.Equal(2, tokenRequests.Count); // one for push scope, one for pull scope; then cached
        Assert.Contains("scope=repository%3Ademo%2Fapp%3Apull%2Cpush", tokenRequests[0], StringComparison.Ordinal);
        Assert.Contains("service=registry.test", tokenRequests[0], StringComparison.Ordinal);
        var unauthorized = r.Fake.Log.Count(l => l.Uri.Host == "registry.test" && l.Headers.Authorization is null);
        Assert.Equal(2, unauthorized);
    }

    [Fact]
    public async Task Wrong_password_surfaces_as_an_UNAUTHORIZED_registry_error()
    {
        var tokenRequests = new List<string>();
        using var r = new FakeRemote(credentials: new StaticCredentialProvider("registry.test", new Credential("alice", "nope")));
        RequireTokens(r.Fake, tokenRequests);
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() => r.Repo().ResolveAsync("v1"));
        Assert.Equal(HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.True(e.HasCode("UNAUTHORIZED"));
    }

    [Fact]
    public async Task Anonymous_token_is_fetched_without_credentials()
    {
        using var r = new FakeRemote();
        r.Fake.Intercept = (req, _) =>
        {
            if (req.RequestUri!.Host == "auth.test")
                return req.Headers.Authorization is null
                    ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("""{"access_token":"anon"}""") }
                    : FakeRegistry.Error(HttpStatusCode.BadRequest, "DENIED");
            if (req.Headers.Authorization?.ToString() == "Bearer anon") return null;
            var c = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            c.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer realm=\"https://auth.test/token\",service=\"s\",scope=\"repository:demo/app:pull\"");
            return c;
        };
        Assert.False(await r.Repo().ExistsAsync(AtymSecure.Oci.Wire.Descriptor.Empty));
    }

    [Fact]
    public async Task Basic_challenge_is_answered_with_basic_credentials()
    {
        using var r = new FakeRemote(credentials: new StaticCredentialProvider("registry.test", new Credential("alice", "s3cret")));
        r.Fake.Intercept = (req, _) =>
        {
            if (req.Headers.Authorization?.ToString() == Basic) return null;
            var c = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            c.Headers.TryAddWithoutValidation("WWW-Authenticate", "Basic realm=\"registry\"");
            return c;
        };
        var d = await r.Repo().PushBytesAsync("application/octet-stream", new byte[] { 7 });
        Assert.True(await r.Repo().ExistsAsync(d));
    }

    [Fact]
    public async Task Credentials_are_never_sent_to_a_plain_http_realm_of_an_https_registry()
    {
        using var r = new FakeRemote(credentials: new StaticCredentialProvider("registry.test", new Credential("alice", "s3cret")));
        r.Fake.Intercept = (req, _) =>
        {
            Assert.NotEqual("auth.test", req.RequestUri!.Host);
            var c = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            c.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer realm=\"http://auth.test/token\",service=\"s\"");
            return c;
        };
        var e = await Assert.ThrowsAsync<OciException>(() => r.Repo().ResolveAsync("v1"));
        Assert.Contains("plain-http", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Bearer realm=\"https://a/t\",service=\"reg\",scope=\"repository:x:pull repository:y:pull\"", "Bearer", 2)]
    [InlineData("bearer realm=https://a/t, service=reg", "bearer", 0)]
    [InlineData("Basic realm=\"r\\\"q\"", "Basic", 0)]
    public void Challenges_parse(string header, string scheme, int scopes)
    {
        var c = AuthChallenge.TryParse(header);
        Assert.NotNull(c);
        Assert.Equal(scheme, c.Scheme);
        Assert.Equal(scopes, c.Scopes.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Bearer realm=\"unterminated")]
    [InlineData("Bearer =x")]
    [InlineData("Bearer realm")]
    public void Malformed_challenges_are_rejected(string header) => Assert.Null(AuthChallenge.TryParse(header));
}
