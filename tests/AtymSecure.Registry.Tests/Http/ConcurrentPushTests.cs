using System.Net;
using System.Text.Json;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Http;

/// <summary>Eight clients on real sockets push the same blobs, manifest and tag at once.</summary>
public sealed class ConcurrentPushTests
{
    [Fact]
    public async Task Eight_clients_pushing_the_same_blob_and_tag_all_succeed_with_one_consistent_result()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var layer = new byte[2 * 1024 * 1024];
        Random.Shared.NextBytes(layer);
        var layerDigest = Digest.Compute(layer);
        var config = "{\"architecture\":\"wasm\"}"u8.ToArray();
        var configDigest = Digest.Compute(config);
        var manifest = RegistryCalls.ManifestJson(configDigest, config.Length, [(layerDigest, layer.Length)]);

        using var start = new SemaphoreSlim(0);
        var clients = Enumerable.Range(0, 8).Select(async i =>
        {
            using var client = new HttpClient { BaseAddress = registry.Address };
            await start.WaitAsync();
            // Half the clients upload in chunks, half monolithically, to mix code paths.
            if (i % 2 == 0) await client.PushBlobAsync("shared/app", layer);
            else
            {
                using var post = await client.PostAsync("/v2/shared/app/blobs/uploads/", null);
                var location = post.Headers.Location!.ToString();
                for (var offset = 0; offset < layer.Length; offset += 512 * 1024)
                {
                    var chunk = new ByteArrayContent(layer, offset, 512 * 1024);
                    chunk.Headers.TryAddWithoutValidation("Content-Range", $"{offset}-{offset + 512 * 1024 - 1}");
                    using var patch = await client.PatchAsync(location, chunk);
                    Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
                }
                using var put = await client.PutAsync(RegistryCalls.WithQuery(location, $"digest={layerDigest}"), null);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }
            await client.PushBlobAsync("shared/app", config);
            using var tag = await client.PutManifestAsync("shared/app", "latest", manifest);
            Assert.Equal(HttpStatusCode.Created, tag.StatusCode);
        }).ToList();
        start.Release(8);
        await Task.WhenAll(clients);

        using var get = await registry.Client.GetAsync("/v2/shared/app/manifests/latest");
        Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        using var blob = await registry.Client.GetAsync($"/v2/shared/app/blobs/{layerDigest}");
        Assert.Equal(layer, await blob.Content.ReadAsByteArrayAsync());
        using var tags = await registry.Client.GetAsync("/v2/shared/app/tags/list");
        using var json = JsonDocument.Parse(await tags.Content.ReadAsStringAsync());
        Assert.Equal("latest", Assert.Single(json.RootElement.GetProperty("tags").EnumerateArray()).GetString());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(registry.DataDirectory, "uploads")));
    }
}
