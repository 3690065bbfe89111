using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Oci.Tests.Fakes;
using AtymSecure.TestSupport;

namespace AtymSecure.Oci.Tests.Remote;

public sealed class CredentialAndTokenTests
{
    [Fact]
    public async Task Docker_config_auth_entries_are_read_per_host()
    {
        var json = $$"""
            {"auths":{
              "https://reg.example.com/v1/":{"auth":"{{Convert.ToBase64String(Encoding.UTF8.GetBytes("bob:pa:ss"))}}"},
              "localhost:5000":{"identitytoken":"refresh-me"},
              "empty.example":{}
            },"credsStore":"desktop"}
            """;
        var p = DockerConfigCredentialProvider.Parse(Encoding.UTF8.GetBytes(json));
        var bob = await p.GetCredentialAsync("reg.example.com");
        Assert.Equal(("bob", "pa:ss"), (bob!.Username, bob.Password));
        Assert.Equal("refresh-me", (await p.GetCredentialAsync("localhost:5000"))!.RefreshToken);
        Assert.Null(await p.GetCredentialAsync("empty.example"));
        Assert.Null(await p.GetCredentialAsync("other"));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"auths":{"a":{"auth":"!!!"},"b":{"auth":"bm9jb2xvbg=="}}}""")]
    [InlineData("[1]")]
    public void Malformed_docker_config_is_refused_with_every_problem(string json)
    {
        var e = Assert.Throws<InvalidDataException>(() => DockerConfigCredentialProvider.Parse(Encoding.UTF8.GetBytes(json), "cfg"));
        Assert.StartsWith("cfg:", e.Message, StringComparison.Ordinal);
        if (json.Contains("auths", StringComparison.Ordinal))
        {
            Assert.Contains("auths.a.auth", e.Message, StringComparison.Ordinal);
            Assert.Contains("auths.b.auth", e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Missing_docker_config_means_anonymous()
    {
        using var folder = TempFolder.Create("oci-test");
        Assert.NotNull(DockerConfigCredentialProvider.Load(folder.File("none.json")));
    }

    [Fact]
    public void Token_lifetime_defaults_to_60_seconds_and_renews_early()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var (token, expires) = TokenAuthenticator.ParseToken("""{"token":"t"}"""u8.ToArray(), now);
        Assert.Equal("t", token);
        Assert.Equal(now.AddSeconds(50), expires);
        var (t2, e2) = TokenAuthenticator.ParseToken("""{"access_token":"a","expires_in":3600}"""u8.ToArray(), now);
        Assert.Equal("a", t2);
        Assert.Equal(now.AddSeconds(3590), e2);
        Assert.Throws<OciException>(() => TokenAuthenticator.ParseToken("""{"token":""}"""u8.ToArray(), now));
        Assert.Throws<OciException>(() => TokenAuthenticator.ParseToken("<html>"u8.ToArray(), now));
    }

    [Fact]
    public async Task Expired_token_is_fetched_again()
    {
        using var fake = new FakeRegistry();
        using var client = fake.Client();
        var issued = 0;
        fake.Intercept = (req, _) =>
        {
            if (req.RequestUri!.Host == "auth.test")
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($$"""{"token":"t{{Interlocked.Increment(ref issued)}}","expires_in":20}""") };
            if (req.Headers.Authorization?.Scheme == "Bearer") return null;
            var c = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            c.Headers.TryAddWithoutValidation("WWW-Authenticate", "Bearer realm=\"https://auth.test/t\",service=\"s\",scope=\"repository:a:pull\"");
            return c;
        };
        var now = DateTimeOffset.UtcNow;
        var auth = new TokenAuthenticator("registry.test", false, null, async (f, ct) => await client.SendAsync(f(), ct)) { Now = () => now };
        using var challenge = await client.GetAsync(new Uri("https://registry.test/v2/a/manifests/x"));
        string[] scopes = ["repository:a:pull"];
        Assert.True(await auth.HandleChallengeAsync(challenge, scopes, default));
        using var r1 = new HttpRequestMessage();
        await auth.ApplyAsync(r1, scopes, default);
        Assert.Equal("t1", r1.Headers.Authorization!.Parameter);
        now = now.AddSeconds(30);
        using var r2 = new HttpRequestMessage();
        await auth.ApplyAsync(r2, scopes, default);
        Assert.Null(r2.Headers.Authorization); // expired: not sent, so the next 401 fetches a new one
    }

    [Fact]
    public void Retry_After_as_an_HTTP_date_is_honoured()
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var policy = new RetryPolicy { NextJitter = () => 0 };
        var wait = policy.NextDelay(1, new RetryConditionHeaderValue(now.AddSeconds(42)), now);
        Assert.Equal(TimeSpan.FromSeconds(42), wait);
        Assert.Equal(TimeSpan.FromMilliseconds(100), policy.NextDelay(1, new RetryConditionHeaderValue(now.AddSeconds(-5)), now));
    }
}
