using System.Net;
using System.Text.Json;
using AtymSecure.Oci.Wire;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Conformance;

/// <summary>The "Content management" category: deleting tags, manifests and blobs.</summary>
public sealed class ContentManagementTests : IAsyncLifetime
{
    private readonly LoopbackRegistry _registry = new();
    private HttpClient Client => _registry.Client;

    public Task InitializeAsync() => _registry.InitializeAsync();
    public Task DisposeAsync() => _registry.DisposeAsync().AsTask();

    private async Task<List<string>> TagsAsync(string name)
    {
        using var response = await Client.GetAsync($"/v2/{name}/tags/list");
        if (response.StatusCode == HttpStatusCode.NotFound) return [];
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
    }

    [Fact]
    public async Task Deleting_a_tag_keeps_the_manifest()
    {
        var (_, digest) = await Client.PushImageAsync("app", "v1");
        using (var put = await Client.PutManifestAsync("app", "v2", (await (await Client.GetAsync($"/v2/app/manifests/{digest}")).Content.ReadAsByteArrayAsync())))
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var delete = await Client.DeleteAsync("/v2/app/manifests/v1");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        Assert.Equal(["v2"], await TagsAsync("app"));
        using var byTag = await Client.GetAsync("/v2/app/manifests/v1");
        Assert.Equal(HttpStatusCode.NotFound, byTag.StatusCode);
        using var byDigest = await Client.GetAsync($"/v2/app/manifests/{digest}");
        Assert.Equal(HttpStatusCode.OK, byDigest.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_manifest_by_digest_removes_every_tag_pointing_at_it()
    {
        var (manifest, digest) = await Client.PushImageAsync("app", "a");
        using (await Client.PutManifestAsync("app", "b", manifest)) { }
        var (_, other) = await Client.PushImageAsync("app", "c", layerText: "other");
        using var delete = await Client.DeleteAsync($"/v2/app/manifests/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var get = await Client.GetAsync($"/v2/app/manifests/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        using var getTag = await Client.GetAsync("/v2/app/manifests/b");
        Assert.Equal(HttpStatusCode.NotFound, getTag.StatusCode);
        Assert.Equal(["c"], await TagsAsync("app"));
        using var again = await Client.DeleteAsync($"/v2/app/manifests/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(ErrorCodes.ManifestUnknown, await RegistryCalls.ErrorCodeAsync(again));
        using var stillThere = await Client.GetAsync($"/v2/app/manifests/{other}");
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
    }

    [Fact]
    public async Task Deleting_a_blob_makes_it_404_in_that_repository_only()
    {
        var digest = await Client.PushBlobAsync("one", "shared"u8.ToArray());
        await Client.PushBlobAsync("two", "shared"u8.ToArray());
        using var delete = await Client.DeleteAsync($"/v2/one/blobs/{digest}");
        Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        using var gone = await Client.GetAsync($"/v2/one/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using var kept = await Client.GetAsync($"/v2/two/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, kept.StatusCode);
        using var again = await Client.DeleteAsync($"/v2/one/blobs/{digest}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Deletion_disabled_answers_405_unsupported()
    {
        await using var registry = await LoopbackRegistry.StartAsync(o => o with { EnableDelete = false });
        var (_, digest) = await registry.Client.PushImageAsync("app", "v1");
        foreach (var path in new[] { "/v2/app/manifests/v1", $"/v2/app/manifests/{digest}" })
        {
            using var response = await registry.Client.DeleteAsync(path);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
            Assert.Equal(ErrorCodes.Unsupported, await RegistryCalls.ErrorCodeAsync(response));
        }
    }

    [Fact]
    public async Task Unknown_tag_delete_is_404()
    {
        using var response = await Client.DeleteAsync("/v2/app/manifests/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
