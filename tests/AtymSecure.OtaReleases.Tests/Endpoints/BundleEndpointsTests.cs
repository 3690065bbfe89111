using System.Net;
using System.Net.Http.Headers;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.Primitives;
using CsCheck;
using Microsoft.AspNetCore.TestHost;

namespace AtymSecure.OtaReleases.Tests.Endpoints;

/// <summary><c>GET|HEAD /bundles/sha256/{hex}</c> in the real host: caching headers, ranges, refusals as problem+json.</summary>
public sealed class BundleEndpointsTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>, IAsyncLifetime
{
    private ReleaseHost _host = null!;
    private byte[] _bundle = [];
    private string _hex = "";

    public async Task InitializeAsync()
    {
        _host = await ReleaseHost.StartAsync(world);
        _bundle = [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))];
        _hex = Digest.Compute(_bundle).Encoded;
        var store = ((BundleFileStore)_host.Service<IBundleStore>());
        await File.WriteAllBytesAsync(Path.Combine(store.Root, "sha256", _hex + ".bundle"), _bundle);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    /// <summary>A client without the operator token: bundles are public.</summary>
    private HttpClient Anonymous() => _host.App.GetTestClient();

    [Fact]
    public async Task A_bundle_is_public_immutable_with_a_strong_etag_and_answers_304_to_it()
    {
        using var client = Anonymous();
        using var response = await client.GetAsync($"/bundles/sha256/{_hex}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(_bundle, await response.Content.ReadAsByteArrayAsync());
        Assert.True(response.Headers.CacheControl!.Public);
        Assert.Contains("immutable", response.Headers.CacheControl.ToString(), StringComparison.Ordinal);
        Assert.Equal($"\"{_hex}\"", response.Headers.ETag!.Tag);
        Assert.False(response.Headers.ETag.IsWeak);
        Assert.Equal("application/vnd.atym.bundle.v1", response.Content.Headers.ContentType!.MediaType);

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/bundles/sha256/{_hex}");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{_hex}\""));
        using var notModified = await client.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task Head_gives_the_length_without_the_body_and_a_range_answers_206_with_exactly_those_bytes()
    {
        using var client = Anonymous();
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/bundles/sha256/{_hex}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(_bundle.Length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());

        using var resume = new HttpRequestMessage(HttpMethod.Get, $"/bundles/sha256/{_hex}");
        resume.Headers.Range = new RangeHeaderValue(4000, null);
        using var partial = await client.SendAsync(resume);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("bytes 4000-4999/5000", partial.Content.Headers.ContentRange!.ToString());
        Assert.Equal(_bundle[4000..], await partial.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_unsatisfiable_range_is_416_an_unknown_bundle_404_and_a_malformed_name_400_problem_json()
    {
        using var client = Anonymous();
        using var beyond = new HttpRequestMessage(HttpMethod.Get, $"/bundles/sha256/{_hex}");
        beyond.Headers.Range = new RangeHeaderValue(9000, null);
        using var unsatisfiable = await client.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, unsatisfiable.StatusCode);
        Assert.Equal("bytes */5000", unsatisfiable.Content.Headers.ContentRange!.ToString());

        using var unknown = await client.GetAsync($"/bundles/sha256/{new string('0', 64)}");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("https://atym.dev/problems/bundle-not-found", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        foreach (var bad in new[] { _hex.ToUpperInvariant(), _hex[..63], _hex + "0", "..%2F..%2Fota.db", "zz" + _hex[2..] })
        {
            using var refused = await client.GetAsync($"/bundles/sha256/{bad}");
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
            Assert.Contains("https://atym.dev/problems/bundle-digest-invalid", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Fuzzed_names_and_ranges_never_get_a_5xx()
    {
        using var client = Anonymous();
        await Gen.Select(Gen.String[Gen.Char["0-9a-fA-Z./%-"], 0, 80], Gen.Long[-5, 6000], Gen.Bool).SampleAsync(async (name, from, known) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/bundles/sha256/" + (known ? _hex : Uri.EscapeDataString(name)));
            if (from >= 0) request.Headers.Range = new RangeHeaderValue(from, null);
            using var response = await client.SendAsync(request);
            Assert.True((int)response.StatusCode < 500, $"{name} from {from}: {(int)response.StatusCode}");
        }, iter: 100);
    }
}
