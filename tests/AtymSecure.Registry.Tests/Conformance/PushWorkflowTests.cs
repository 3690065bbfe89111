using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Conformance;

/// <summary>The "Push" category of the OCI conformance suite: streamed, monolithic, chunked, mount, manifests, ?tag=.</summary>
public sealed class PushWorkflowTests : IAsyncLifetime
{
    private readonly LoopbackRegistry _registry = LoopbackRegistry.Create(o => o with { ChunkMinLength = 4096 });
    private HttpClient Client => _registry.Client;

    public Task InitializeAsync() => _registry.InitializeAsync();
    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    private async Task<string> StartUploadAsync(string name = "app")
    {
        using var post = await Client.PostAsync($"/v2/{name}/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        var location = post.Headers.Location!.ToString();
        Assert.StartsWith($"/v2/{name}/blobs/uploads/", location, StringComparison.Ordinal);
        Assert.False(post.Headers.Location.IsAbsoluteUri);
        return location;
    }

    private async Task AssertBlobAsync(string name, Digest digest, byte[] content)
    {
        using var get = await Client.GetAsync($"/v2/{name}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Streamed_patch_without_content_range_then_put_creates_blob()
    {
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        var digest = Digest.Compute(content);
        var location = await StartUploadAsync();
        using var patch = await Client.PatchAsync(location, RegistryCalls.Octets(content));
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal($"0-{content.Length - 1}", RegistryCalls.Header(patch, "Range"));
        using var put = await Client.PutAsync(RegistryCalls.WithQuery(patch.Headers.Location!.ToString(), $"digest={digest}"), null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal($"/v2/app/blobs/{digest}", put.Headers.Location!.ToString());
        Assert.Equal(digest.ToString(), RegistryCalls.Header(put, OciHeaders.ContentDigest));
        await AssertBlobAsync("app", digest, content);
    }

    [Fact]
    public async Task Monolithic_single_post_with_digest_creates_blob()
    {
        var content = "single post"u8.ToArray();
        var digest = Digest.Compute(content);
        using var post = await Client.PostAsync($"/v2/app/blobs/uploads/?digest={digest}", RegistryCalls.Octets(content));
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
        Assert.Equal($"/v2/app/blobs/{digest}", post.Headers.Location!.ToString());
        await AssertBlobAsync("app", digest, content);
    }

    [Fact]
    public async Task Monolithic_post_then_put_creates_blob_and_advertises_chunk_min_length()
    {
        using var post = await Client.PostAsync("/v2/app/blobs/uploads/", null);
        Assert.Equal("4096", RegistryCalls.Header(post, OciHeaders.ChunkMinLength));
        Assert.Equal("0-0", RegistryCalls.Header(post, "Range"));
        var content = "monolithic"u8.ToArray();
        var digest = Digest.Compute(content);
        using var put = await Client.PutAsync(RegistryCalls.WithQuery(post.Headers.Location!.ToString(), $"digest={digest}"), RegistryCalls.Octets(content));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertBlobAsync("app", digest, content);
    }

    [Fact]
    public async Task Sha512_blobs_are_supported_end_to_end()
    {
        var content = "sha512 content"u8.ToArray();
        var digest = await Client.PushBlobAsync("app", content, "sha512");
        Assert.Equal("sha512", digest.Algorithm);
        await AssertBlobAsync("app", digest, content);
        using var post = await Client.PostAsync("/v2/app/blobs/uploads/?digest-algorithm=sha512", null);
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        using var put = await Client.PutAsync(RegistryCalls.WithQuery(post.Headers.Location!.ToString(), $"digest={Digest.Compute("x"u8, "sha512")}"),
            RegistryCalls.Octets("x"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task Chunked_upload_enforces_order_reports_range_and_resumes_via_status()
    {
        var content = new byte[10_000];
        Random.Shared.NextBytes(content);
        var digest = Digest.Compute(content);
        var location = await StartUploadAsync();

        using var outOfOrder = await PatchChunkAsync(location, content, 5000, 5000);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, outOfOrder.StatusCode);

        using var first = await PatchChunkAsync(location, content, 0, 5000);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal("0-4999", RegistryCalls.Header(first, "Range"));
        location = first.Headers.Location!.ToString();

        using var replay = await PatchChunkAsync(location, content, 0, 5000);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, replay.StatusCode);
        Assert.Equal("0-4999", RegistryCalls.Header(replay, "Range"));

        using var status = await Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-4999", RegistryCalls.Header(status, "Range"));
        Assert.Equal(location, status.Headers.Location!.ToString());

        using var second = await PatchChunkAsync(location, content, 5000, 5000);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal("0-9999", RegistryCalls.Header(second, "Range"));
        using var put = await Client.PutAsync(RegistryCalls.WithQuery(location, $"digest={digest}"), null);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertBlobAsync("app", digest, content);
    }

    [Fact]
    public async Task Final_chunk_can_travel_in_the_closing_put()
    {
        var content = new byte[8000];
        Random.Shared.NextBytes(content);
        var digest = Digest.Compute(content);
        var location = await StartUploadAsync();
        using var first = await PatchChunkAsync(location, content, 0, 6000);
        var last = new ByteArrayContent(content[6000..]);
        last.Headers.TryAddWithoutValidation("Content-Range", "6000-7999");
        using var put = await Client.PutAsync(RegistryCalls.WithQuery(first.Headers.Location!.ToString(), $"digest={digest}"), last);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        await AssertBlobAsync("app", digest, content);
    }

    private Task<HttpResponseMessage> PatchChunkAsync(string location, byte[] content, int offset, int length)
    {
        var body = new ByteArrayContent(content, offset, length);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        body.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + length - 1}");
        return Client.PatchAsync(location, body);
    }

    [Fact]
    public async Task Cancelled_upload_is_gone()
    {
        var location = await StartUploadAsync();
        using var delete = await Client.DeleteAsync(location);
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var status = await Client.GetAsync(location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Equal(ErrorCodes.BlobUploadUnknown, await RegistryCalls.ErrorCodeAsync(status));
    }

    [Fact]
    public async Task Upload_session_is_bound_to_its_repository()
    {
        var location = await StartUploadAsync("one");
        using var status = await Client.GetAsync(location.Replace("/v2/one/", "/v2/two/", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
    }

    [Fact]
    public async Task Mount_with_from_links_the_blob_in_the_target()
    {
        var content = "hello world"u8.ToArray();
        var digest = await Client.PushBlobAsync("source/app", content);
        using var mount = await Client.PostAsync($"/v2/target/app/blobs/uploads/?mount={digest}&from=source/app", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        Assert.Equal($"/v2/target/app/blobs/{digest}", mount.Headers.Location!.ToString());
        Assert.Equal(digest.ToString(), RegistryCalls.Header(mount, OciHeaders.ContentDigest));
        await AssertBlobAsync("target/app", digest, content);
    }

    [Fact]
    public async Task Mount_without_from_discovers_the_blob_when_automatic_cross_mount_is_on()
    {
        var digest = await Client.PushBlobAsync("source/app", "auto"u8.ToArray());
        using var mount = await Client.PostAsync($"/v2/other/blobs/uploads/?mount={digest}", null);
        Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
    }

    [Fact]
    public async Task Mount_of_unknown_blob_or_from_wrong_repository_falls_back_to_a_session()
    {
        var unknown = Digest.Compute("never pushed"u8);
        using var none = await Client.PostAsync($"/v2/target/blobs/uploads/?mount={unknown}", null);
        Assert.Equal(HttpStatusCode.Accepted, none.StatusCode);
        Assert.StartsWith("/v2/target/blobs/uploads/", none.Headers.Location!.ToString(), StringComparison.Ordinal);
        var digest = await Client.PushBlobAsync("source", "x1"u8.ToArray());
        using var wrongFrom = await Client.PostAsync($"/v2/target/blobs/uploads/?mount={digest}&from=elsewhere", null);
        Assert.Equal(HttpStatusCode.Accepted, wrongFrom.StatusCode);
    }

    [Fact]
    public async Task Mount_without_from_is_a_session_when_automatic_cross_mount_is_off()
    {
        await using var registry = await LoopbackRegistry.StartAsync(o => o with { AutomaticCrossMount = false });
        var digest = await registry.Client.PushBlobAsync("source", "x"u8.ToArray());
        using var mount = await registry.Client.PostAsync($"/v2/target/blobs/uploads/?mount={digest}", null);
        Assert.Equal(HttpStatusCode.Accepted, mount.StatusCode);
    }

    [Fact]
    public async Task Manifest_push_to_several_tags_and_by_digest_with_tag_parameters()
    {
        var (manifest, digest) = await Client.PushImageAsync("app", "test0");
        for (var i = 1; i < 4; i++)
        {
            using var put = await Client.PutManifestAsync("app", $"test{i}", manifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            Assert.Equal($"/v2/app/manifests/{digest}", put.Headers.Location!.ToString());
            Assert.Equal(digest.ToString(), RegistryCalls.Header(put, OciHeaders.ContentDigest));
        }
        using var byDigest = await Client.PutManifestAsync("app", $"{digest}?tag=a&tag=b&tag=a", manifest);
        Assert.Equal(HttpStatusCode.Created, byDigest.StatusCode);
        Assert.Equal(["a", "b"], byDigest.Headers.GetValues(OciHeaders.Tag).ToArray());
        using var tagged = await Client.GetAsync("/v2/app/manifests/b");
        Assert.Equal(manifest, await tagged.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Manifest_with_empty_layers_and_index_of_manifests_are_accepted()
    {
        var config = "{}"u8.ToArray();
        var configDigest = await Client.PushBlobAsync("app", config);
        var manifest = RegistryCalls.ManifestJson(configDigest, 2, [], artifactType: "application/vnd.example+type",
            configMediaType: MediaTypes.EmptyJson);
        using var put = await Client.PutManifestAsync("app", "nolayers", manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var index = System.Text.Encoding.UTF8.GetBytes(
            $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.ImageIndex}\",\"manifests\":[{RegistryCalls.DescriptorJson(MediaTypes.ImageManifest, Digest.Compute(manifest), manifest.Length)}," +
            $"{RegistryCalls.DescriptorJson(MediaTypes.ImageManifest, Digest.Compute("sparse"u8), 6)}]}}");
        using var putIndex = await Client.PutManifestAsync("app", "index", index, MediaTypes.ImageIndex);
        Assert.Equal(HttpStatusCode.Created, putIndex.StatusCode);
        using var get = await Client.GetAsync("/v2/app/manifests/index");
        Assert.Equal(MediaTypes.ImageIndex, get.Content.Headers.ContentType!.MediaType);
        Assert.Equal(index, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Sha512_manifest_push_by_digest()
    {
        var (manifest, _) = await Client.PushImageAsync("app", "v1");
        var digest = Digest.Compute(manifest, "sha512");
        using var put = await Client.PutManifestAsync("app", digest.ToString(), manifest);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(digest.ToString(), RegistryCalls.Header(put, OciHeaders.ContentDigest));
        using var get = await Client.GetAsync($"/v2/app/manifests/{digest}");
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
    }
}
