using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Conformance;

/// <summary>The "Pull" category of the OCI conformance suite, plus range requests and digest headers.</summary>
public sealed class PullWorkflowTests : IAsyncLifetime
{
    private readonly LoopbackRegistry _registry = new();
    private HttpClient Client => _registry.Client;

    public Task InitializeAsync() => _registry.InitializeAsync();
    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    [Fact]
    public async Task Base_endpoint_answers_200_with_api_version()
    {
        using var response = await Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", RegistryCalls.Header(response, OciHeaders.ApiVersion));
        using var noSlash = await Client.GetAsync("/v2");
        Assert.Equal(HttpStatusCode.OK, noSlash.StatusCode);
    }

    [Fact]
    public async Task Missing_blob_and_manifest_are_404_with_codes()
    {
        var missing = Digest.Compute("nothing"u8);
        using var headBlob = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{missing}"));
        Assert.Equal(HttpStatusCode.NotFound, headBlob.StatusCode);
        using var getBlob = await Client.GetAsync($"/v2/app/blobs/{missing}");
        Assert.Equal(HttpStatusCode.NotFound, getBlob.StatusCode);
        Assert.Equal(ErrorCodes.BlobUnknown, await RegistryCalls.ErrorCodeAsync(getBlob));
        using var getManifest = await Client.GetAsync("/v2/app/manifests/latest");
        Assert.Equal(HttpStatusCode.NotFound, getManifest.StatusCode);
        Assert.Equal(ErrorCodes.ManifestUnknown, await RegistryCalls.ErrorCodeAsync(getManifest));
        using var byDigest = await Client.GetAsync($"/v2/app/manifests/{missing}");
        Assert.Equal(HttpStatusCode.NotFound, byDigest.StatusCode);
    }

    [Fact]
    public async Task Blob_get_and_head_carry_digest_and_length()
    {
        var content = new byte[100_000];
        Random.Shared.NextBytes(content);
        var digest = await Client.PushBlobAsync("app", content);
        using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(digest.ToString(), RegistryCalls.Header(head, OciHeaders.ContentDigest));
        Assert.Equal(content.Length, head.Content.Headers.ContentLength);
        using var get = await Client.GetAsync($"/v2/app/blobs/{digest}");
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest.ToString(), RegistryCalls.Header(get, OciHeaders.ContentDigest));
        Assert.Equal(content.Length, get.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Blob_is_visible_only_in_repositories_that_received_it()
    {
        var digest = await Client.PushBlobAsync("one", "private"u8.ToArray());
        using var other = await Client.GetAsync($"/v2/two/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Theory]
    [InlineData("bytes=500-1499", 500, 1000)]
    [InlineData("bytes=500-", 500, 1500)]
    [InlineData("bytes=-500", 1500, 500)]
    [InlineData("bytes=2000-5000", 2000, 0)]
    [InlineData("bytes=0-0", 0, 1)]
    public async Task Range_requests_return_206_with_content_range(string range, int offset, int length)
    {
        var content = Enumerable.Range(0, 2000).Select(i => (byte)(i * 7)).ToArray();
        var digest = await Client.PushBlobAsync("app", content);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await Client.SendAsync(request);
        if (offset >= content.Length)
        {
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
            Assert.Equal("bytes */2000", RegistryCalls.Header(response, "Content-Range"));
            return;
        }
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content.AsSpan(offset, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes {offset}-{offset + length - 1}/2000", RegistryCalls.Header(response, "Content-Range"));
        Assert.Equal(digest.ToString(), RegistryCalls.Header(response, OciHeaders.ContentDigest));
    }

    [Theory]
    [InlineData("bytes=500-0")]
    [InlineData("bytes=5000-10000")]
    [InlineData("bytes=-0")]
    [InlineData("bytes=abc")]
    [InlineData("pages=1-2")]
    public async Task Unsatisfiable_or_malformed_ranges_are_416(string range)
    {
        var digest = await Client.PushBlobAsync("app", new byte[2000]);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{digest}");
        request.Headers.TryAddWithoutValidation("Range", range);
        using var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
    }

    [Fact]
    public async Task Manifest_by_tag_and_digest_is_byte_exact_with_its_type_despite_several_accept_lines()
    {
        var (manifest, digest) = await Client.PushImageAsync("team/app", "v1");
        foreach (var reference in new[] { "v1", digest.ToString() })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/team/app/manifests/{reference}");
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.DockerManifest));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.ImageManifest));
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.ImageIndex));
            using var response = await Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(manifest, await response.Content.ReadAsByteArrayAsync());
            Assert.Equal(MediaTypes.ImageManifest, response.Content.Headers.ContentType!.MediaType);
            Assert.Equal(digest.ToString(), RegistryCalls.Header(response, OciHeaders.ContentDigest));
            Assert.Equal(manifest.Length, response.Content.Headers.ContentLength);
            using var head = await Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/team/app/manifests/{reference}"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(manifest.Length, head.Content.Headers.ContentLength);
            Assert.Equal(digest.ToString(), RegistryCalls.Header(head, OciHeaders.ContentDigest));
        }
    }

    [Fact]
    public async Task Garbage_digest_in_manifest_path_is_400_digest_invalid()
    {
        using var response = await Client.GetAsync("/v2/app/manifests/sha256:totallywrong");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(ErrorCodes.DigestInvalid, await RegistryCalls.ErrorCodeAsync(response));
    }

    [Fact]
    public async Task Deep_repository_names_containing_api_words_route_correctly()
    {
        const string name = "org/blobs/manifests/tags/app";
        var (manifest, digest) = await Client.PushImageAsync(name, "v1");
        using var response = await Client.GetAsync($"/v2/{name}/manifests/{digest}");
        Assert.Equal(manifest, await response.Content.ReadAsByteArrayAsync());
        using var tags = await Client.GetAsync($"/v2/{name}/tags/list");
        Assert.Contains("\"v1\"", await tags.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
