using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Tests.Fakes;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Tests.Remote;

public sealed class RetryAndErrorTests
{
    private static HttpResponseMessage Busy(HttpStatusCode status, TimeSpan? retryAfter = null)
    {
        var r = FakeRegistry.Error(status, ErrorCodes.TooManyRequests, "slow down");
        if (retryAfter is { } t) r.Headers.RetryAfter = new RetryConditionHeaderValue(t);
        return r;
    }

    [Fact]
    public async Task Status_429_is_retried_no_sooner_than_Retry_After()
    {
        using var r = new FakeRemote();
        var d = await r.Repo().PushBytesAsync("application/octet-stream", new byte[] { 1, 2, 3 });
        var gets = 0;
        r.Fake.Intercept = (req, _) => req.Method == HttpMethod.Get && Interlocked.Increment(ref gets) <= 2
            ? Busy(HttpStatusCode.TooManyRequests, TimeSpan.FromSeconds(7)) : null;
        Assert.Equal([1, 2, 3], await r.Repo().FetchAllAsync(d));
        Assert.Equal(2, r.Delays.Count);
        Assert.All(r.Delays, t => Assert.True(t >= TimeSpan.FromSeconds(7), t.ToString()));
    }

    [Fact]
    public async Task Backoff_grows_exponentially_and_stops_after_MaxAttempts()
    {
        using var r = new FakeRemote(maxAttempts: 4);
        r.Fake.Intercept = (_, _) => Busy(HttpStatusCode.ServiceUnavailable);
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() => r.Repo().ResolveAsync("v1"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Equal(4, r.Fake.Log.Count);
        // jitter fixed at 0.5: 0.75 × 200ms × 2^(n-1)
        Assert.Equal([150, 300, 600], r.Delays.Select(t => (int)t.TotalMilliseconds));
    }

    [Fact]
    public async Task Retry_After_beyond_the_limit_is_returned_as_an_error_instead_of_waited_for()
    {
        using var r = new FakeRemote();
        r.Fake.Intercept = (_, _) => Busy(HttpStatusCode.TooManyRequests, TimeSpan.FromHours(1));
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() => r.Repo().ResolveAsync("v1"));
        Assert.True(e.HasCode(ErrorCodes.TooManyRequests));
        Assert.Empty(r.Delays);
    }

    [Fact]
    public async Task Network_errors_on_idempotent_requests_are_retried()
    {
        using var r = new FakeRemote();
        var d = await TestData.PushArtifactAsync(r.Repo(), "x");
        await r.Repo().TagAsync(d, "v1");
        var calls = 0;
        r.Fake.Intercept = (_, _) => Interlocked.Increment(ref calls) == 1 ? throw new HttpRequestException("reset") : null;
        Assert.Equal(d.Digest, (await r.Repo().ResolveAsync("v1")).Digest);
        Assert.Single(r.Delays);
    }

    [Fact]
    public async Task Client_errors_are_not_retried_and_carry_every_parsed_code()
    {
        using var r = new FakeRemote();
        r.Fake.Intercept = (_, _) =>
        {
            var resp = new HttpResponseMessage(HttpStatusCode.BadRequest)
            {
                Content = new StringContent("""{"errors":[{"code":"NAME_INVALID","message":"bad name"},{"code":"TAG_INVALID","detail":{"x":1}}]}"""),
            };
            return resp;
        };
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() => r.Repo().ResolveAsync("v1"));
        Assert.Equal(["NAME_INVALID", "TAG_INVALID"], e.Errors.Select(x => x.Code));
        Assert.Contains("bad name", e.Message, StringComparison.Ordinal);
        Assert.Equal([("NAME_INVALID", "bad name"), ("TAG_INVALID", "TAG_INVALID")], e.Problems.Select(p => (p.Code, p.Message)));
        Assert.All(e.Problems, p => Assert.Matches("^(GET|HEAD) /v2/.+/manifests/v1$", p.Path));
        Assert.Single(r.Fake.Log);
    }

    [Fact]
    public async Task Non_json_error_body_is_quoted_in_the_message()
    {
        using var r = new FakeRemote(maxAttempts: 1);
        r.Fake.Intercept = (_, _) => new HttpResponseMessage(HttpStatusCode.InternalServerError) { Content = new StringContent("<html>proxy exploded</html>") };
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() => r.Repo().ResolveAsync("v1"));
        Assert.Empty(e.Errors);
        Assert.Contains("proxy exploded", e.Message, StringComparison.Ordinal);
        Assert.Equal("HTTP_500", Assert.Single(e.Problems).Code);
    }

    [Fact]
    public async Task Manifest_with_a_lying_Docker_Content_Digest_header_is_refused()
    {
        using var r = new FakeRemote();
        var d = await TestData.PushArtifactAsync(r.Repo(), "x");
        await r.Repo().TagAsync(d, "v1");
        r.Fake.Rewrite = (_, resp, _) =>
        {
            resp.Headers.Remove(OciHeaders.ContentDigest);
            resp.Headers.Add(OciHeaders.ContentDigest, Digest.Compute([9]).ToString());
            return resp;
        };
        await Assert.ThrowsAsync<DigestMismatchException>(() => r.Repo().FetchAsync("v1"));
        await Assert.ThrowsAsync<DigestMismatchException>(() => r.Repo().FetchAsync(d));
    }

    [Fact]
    public async Task Resolve_without_digest_header_falls_back_to_hashing_the_GET_body()
    {
        using var r = new FakeRemote();
        var d = await TestData.PushArtifactAsync(r.Repo(), "x");
        await r.Repo().TagAsync(d, "v1");
        r.Fake.Rewrite = (_, resp, _) => { resp.Headers.Remove(OciHeaders.ContentDigest); return resp; };
        var resolved = await r.Repo().ResolveAsync("v1");
        Assert.Equal(d.Digest, resolved.Digest);
        Assert.Equal(MediaTypes.ImageManifest, resolved.MediaType);
        Assert.Contains(r.Fake.Log, l => l.Method == HttpMethod.Get);
    }

    [Fact]
    public async Task Tags_are_listed_across_Link_pages_and_after_last()
    {
        using var r = new FakeRemote();
        r.Fake.TagPageLimit = 2;
        var d = await TestData.PushArtifactAsync(r.Repo(), "x");
        foreach (var t in new[] { "e", "a", "d", "c", "b" }) await r.Repo().TagAsync(d, t);
        var all = new List<string>();
        await foreach (var t in r.Repo().ListTagsAsync()) all.Add(t);
        Assert.Equal(["a", "b", "c", "d", "e"], all);
        var after = new List<string>();
        await foreach (var t in r.Repo().ListTagsAsync(last: "c")) after.Add(t);
        Assert.Equal(["d", "e"], after);
    }

    [Fact]
    public async Task A_Link_to_another_host_is_not_followed()
    {
        using var r = new FakeRemote();
        r.Fake.Rewrite = (req, resp, _) =>
        {
            if (req.RequestUri!.AbsolutePath.EndsWith("/tags/list", StringComparison.Ordinal))
                resp.Headers.TryAddWithoutValidation("Link", "<https://evil.test/v2/x/tags/list?n=1>; rel=\"next\"");
            return resp;
        };
        await Assert.ThrowsAsync<OciException>(async () => { await foreach (var _ in r.Repo().ListTagsAsync()) { } });
    }

    [Fact]
    public async Task Catalog_pages_follow_Link_and_ping_reports_v2_support()
    {
        using var r = new FakeRemote();
        r.Fake.Intercept = (req, _) =>
        {
            if (req.RequestUri!.AbsolutePath != "/v2/_catalog") return null;
            var last = System.Web.HttpUtility.ParseQueryString(req.RequestUri.Query)["last"];
            var page = last is null ? "[\"a/one\",\"b/two\"]" : "[\"c/three\"]";
            var resp = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent($"{{\"repositories\":{page}}}") };
            if (last is null) resp.Headers.TryAddWithoutValidation("Link", "</v2/_catalog?n=2&last=b/two>; rel=\"next\"");
            return resp;
        };
        var registry = new AtymSecure.Oci.Remote.Registry("registry.test", r.Options);
        Assert.True(await registry.PingAsync());
        var names = new List<string>();
        await foreach (var n in registry.ListRepositoriesAsync()) names.Add(n);
        Assert.Equal(["a/one", "b/two", "c/three"], names);
        Assert.Equal("demo/x", registry.GetRepository("demo/x").Name);
        Assert.Throws<InvalidReferenceException>(() => registry.GetRepository("Bad/Name"));
    }

    [Theory]
    [InlineData("localhost:5000/a", "http")]
    [InlineData("127.0.0.1:5000/a", "http")]
    [InlineData("[::1]:5000/a", "http")]
    [InlineData("registry.example.com/a", "https")]
    [InlineData("10.0.0.1:5000/a", "https")]
    public async Task Loopback_registries_use_plain_http_others_https(string reference, string scheme)
    {
        using var fake = new FakeRegistry();
        using var client = fake.Client();
        await new Repository(reference, new() { HttpClient = client }).ExistsAsync(Descriptor.Empty);
        Assert.Equal(scheme, fake.Log.Single().Uri.Scheme);
        fake.Log.Clear();
        await new Repository(reference, new() { HttpClient = client, PlainHttp = scheme == "https" }).ExistsAsync(Descriptor.Empty);
        Assert.NotEqual(scheme, fake.Log.Single().Uri.Scheme);
    }

    [Fact]
    public void Options_validation_names_every_bad_field()
    {
        var e = Assert.Throws<ArgumentException>(() => new Repository("localhost/a", new RemoteOptions { ChunkSize = 0, PageSize = -1, Retry = new RetryPolicy { MaxAttempts = 0 } }));
        Assert.Contains("ChunkSize", e.Message, StringComparison.Ordinal);
        Assert.Contains("PageSize", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxAttempts", e.Message, StringComparison.Ordinal);
    }
}
