using System.Net;
using System.Security.Cryptography;
using AtymSecure.ObjectStore;
using AtymSecure.Primitives;
using AtymSecure.Registry.Gc;
using AtymSecure.Registry.Hosting;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Hosting;

/// <summary>The registry with <c>blobs: s3://…</c> on a real Ceph RADOS Gateway, over real HTTP on loopback.</summary>
[Trait("Requires", "s3")]
public sealed class S3RegistryTests
{
    private static async Task<(LoopbackRegistry Registry, S3ObjectStore Objects)> StartAsync(bool redirect = false)
    {
        var url = CephObjectGateway.Shared.Url(CephObjectGateway.NewBucketName("registry"));
        var objects = S3ObjectStore.Open(url);
        await objects.CreateBucketAsync();
        var registry = await LoopbackRegistry.StartAsync(o => o with { Blobs = url, RedirectBlobDownloads = redirect });
        return (registry, objects);
    }

    private static byte[] Bytes(int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task A_pushed_image_pulls_back_byte_exact_and_its_blobs_are_objects_in_the_bucket()
    {
        var (registry, objects) = await StartAsync();
        await using var _ = registry;
        using var __ = objects;
        var (manifest, digest) = await registry.Client.PushImageAsync("app", "v1");
        var layer = Bytes((17 << 20) + 3, 1); // > 16 MiB: committed as a multipart upload
        var layerDigest = await registry.Client.PushBlobAsync("app", layer);
        using (var get = await registry.Client.GetAsync("/v2/app/manifests/v1")) Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
        using (var get = await registry.Client.GetAsync($"/v2/app/blobs/{layerDigest}"))
            Assert.Equal(SHA256.HashData(layer), SHA256.HashData(await get.Content.ReadAsByteArrayAsync()));
        using (var range = new HttpRequestMessage(HttpMethod.Get, $"/v2/app/blobs/{layerDigest}"))
        {
            range.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(1_000_000, 1_000_099);
            using var partial = await registry.Client.SendAsync(range);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(layer.AsSpan(1_000_000, 100).ToArray(), await partial.Content.ReadAsByteArrayAsync());
        }
        Assert.NotNull(await objects.HeadAsync($"blobs/sha256/{digest.Encoded[..2]}/{digest.Encoded}"));
        var head = await objects.HeadAsync($"blobs/sha256/{layerDigest.Encoded[..2]}/{layerDigest.Encoded}");
        Assert.Equal(layer.Length, head!.Size);
        Assert.EndsWith("-2", head.ETag, StringComparison.Ordinal); // 17 MiB + 3 bytes in the default 16 MiB parts
    }

    [Fact]
    public async Task With_redirects_a_blob_get_is_a_307_to_a_presigned_url_that_a_plain_client_follows()
    {
        var (registry, objects) = await StartAsync(redirect: true);
        await using var _ = registry;
        using var __ = objects;
        var layer = Bytes(300_000, 2);
        var digest = await registry.Client.PushBlobAsync("app", layer);
        using var noFollow = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = registry.Address };
        using (var redirect = await noFollow.GetAsync($"/v2/app/blobs/{digest}"))
        {
            Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
            var location = redirect.Headers.Location!;
            Assert.Equal(CephObjectGateway.Shared.Endpoint.Authority, location.Authority);
            Assert.Contains("X-Amz-Signature=", location.Query, StringComparison.Ordinal);
        }
        using var follow = new HttpClient();
        Assert.Equal(SHA256.HashData(layer), SHA256.HashData(await follow.GetByteArrayAsync(new Uri(registry.Address, $"/v2/app/blobs/{digest}"))));
        // HEAD is answered by the registry itself, and a blob the repository does not link is a 404, never a redirect.
        using (var head = await noFollow.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/app/blobs/{digest}")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(layer.Length, head.Content.Headers.ContentLength);
        }
        using (var other = await noFollow.GetAsync($"/v2/other/blobs/{digest}")) Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
    }

    [Fact]
    public async Task Garbage_collection_deletes_unreferenced_blob_objects_and_keeps_referenced_ones()
    {
        var (registry, objects) = await StartAsync();
        await using var _ = registry;
        using var __ = objects;
        var (_, manifest) = await registry.Client.PushImageAsync("app", "v1");
        var orphan = await registry.Client.PushBlobAsync("app", Bytes(1000, 3));
        var report = registry.GetService<RegistryGarbageCollector>().Collect(TimeSpan.Zero, TimeSpan.FromHours(1));
        Assert.Equal([orphan], report.Deleted);
        Assert.Null(await objects.HeadAsync($"blobs/sha256/{orphan.Encoded[..2]}/{orphan.Encoded}"));
        Assert.NotNull(await objects.HeadAsync($"blobs/sha256/{manifest.Encoded[..2]}/{manifest.Encoded}"));
        using var get = await registry.Client.GetAsync("/v2/app/manifests/v1");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task A_missing_bucket_or_wrong_keys_stop_the_start_with_what_is_wrong()
    {
        using var folder = TempFolder.Create("s3start");
        var gateway = CephObjectGateway.Shared;
        var missing = gateway.Url(CephObjectGateway.NewBucketName("absent"));
        var noBucket = Assert.Throws<InvalidOperationException>(() => RegistryServer.Build(new RegistryOptions { DataDirectory = folder.Path, Blobs = missing }));
        Assert.Contains("NoSuchBucket", noBucket.Message, StringComparison.Ordinal);
        var bucket = CephObjectGateway.NewBucketName("denied");
        using (var objects = S3ObjectStore.Open(gateway.Url(bucket))) await objects.CreateBucketAsync();
        var wrong = gateway.Url(bucket).Replace(CephObjectGateway.SecretKey, "wrong-secret", StringComparison.Ordinal);
        var denied = Assert.Throws<InvalidOperationException>(() => RegistryServer.Build(new RegistryOptions { DataDirectory = folder.Path, Blobs = wrong }));
        Assert.Contains("AccessDenied", denied.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret", denied.ToString(), StringComparison.Ordinal);
    }
}
