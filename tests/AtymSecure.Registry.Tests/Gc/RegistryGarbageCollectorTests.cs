using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Text;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Gc;
using AtymSecure.Registry.Storage;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.Registry.Tests.Gc;

public sealed class RegistryGarbageCollectorTests
{
    [Fact]
    public async Task Unreferenced_blobs_go_after_the_grace_period_and_everything_referenced_stays()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = await LoopbackRegistry.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var client = registry.Client;
        var (image, imageDigest) = await client.PushImageAsync("app", "v1", layerText: "kept layer");
        var orphan = await client.PushBlobAsync("app", "nobody references me"u8.ToArray());
        // A referrer whose subject never existed, and an index listing the image: both keep their content.
        var empty = await client.PushBlobAsync("app", "{}"u8.ToArray());
        var referrer = RegistryCalls.ManifestJson(empty, 2, [], subject: RegistryCalls.DescriptorJson(MediaTypes.ImageManifest, Digest.Compute("gone"u8), 4),
            artifactType: "application/vnd.example.sig", configMediaType: MediaTypes.EmptyJson);
        using (var put = await client.PutManifestAsync("app", Digest.Compute(referrer).ToString(), referrer)) Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        var index = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.ImageIndex}\",\"manifests\":[{RegistryCalls.DescriptorJson(MediaTypes.ImageManifest, imageDigest, image.Length)}]}}");
        using (var put = await client.PutManifestAsync("app", "multi", index, MediaTypes.ImageIndex)) Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        // The image loses its tag: still kept, because the index lists it.
        using (await client.DeleteAsync("/v2/app/manifests/v1")) { }
        var collector = registry.GetService<RegistryGarbageCollector>();

        var early = collector.Collect(TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        Assert.Equal(0, early.BlobsDeleted);
        Assert.Equal(1, early.BlobsInGracePeriod);

        clock.Advance(TimeSpan.FromHours(2));
        var dry = collector.Collect(TimeSpan.FromHours(1), TimeSpan.FromHours(1), dryRun: true);
        Assert.Equal([orphan], dry.Deleted);
        using (var stillThere = await client.GetAsync($"/v2/app/blobs/{orphan}")) Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);

        var report = collector.Collect(TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        Assert.Equal([orphan], report.Deleted);
        Assert.Equal(3, report.Manifests);
        using (var gone = await client.GetAsync($"/v2/app/blobs/{orphan}")) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var pulled = await client.GetAsync($"/v2/app/manifests/{imageDigest}")) Assert.Equal(image, await pulled.Content.ReadAsByteArrayAsync());
        using (var pulled = await client.GetAsync("/v2/app/manifests/multi")) Assert.Equal(HttpStatusCode.OK, pulled.StatusCode);
        using (var cfg = await client.GetAsync($"/v2/app/blobs/{empty}")) Assert.Equal(HttpStatusCode.OK, cfg.StatusCode);
    }

    [Fact]
    public async Task Reusing_an_old_blob_restarts_its_grace_period()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var registry = await LoopbackRegistry.StartAsync(configure: b => b.Services.AddSingleton<TimeProvider>(clock));
        var blobs = registry.GetService<IBlobStore>();
        var digest = await registry.Client.PushBlobAsync("app", "old"u8.ToArray());
        File.SetLastWriteTimeUtc(blobs.TryGet(digest)!.LocalPath!, DateTime.UtcNow.AddDays(-2));
        await registry.Client.PushBlobAsync("other", "old"u8.ToArray()); // re-push of the same content
        var report = registry.GetService<RegistryGarbageCollector>().Collect(TimeSpan.FromHours(1), TimeSpan.FromHours(1));
        Assert.Equal(0, report.BlobsDeleted);
    }

    [Fact]
    public async Task Offline_run_collects_a_stopped_registry_and_refuses_a_running_one()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        await registry.Client.PushImageAsync("app", "v1");
        var orphan = await registry.Client.PushBlobAsync("app", "orphan"u8.ToArray());
        var error = Assert.Throws<InvalidOperationException>(() => RegistryGarbageCollector.Run(registry.DataDirectory, TimeSpan.Zero));
        Assert.Contains("still running", error.Message, StringComparison.Ordinal);

        await registry.StopAsync();
        var report = RegistryGarbageCollector.Run(registry.DataDirectory, TimeSpan.Zero);
        Assert.Equal([orphan], report.Deleted);
        Assert.Equal(3, report.BlobsKept); // config, layer, manifest bytes
    }

    [Fact]
    public void Offline_run_on_missing_folder_says_so()
    {
        var error = Assert.Throws<DirectoryNotFoundException>(() => RegistryGarbageCollector.Run("/nonexistent/registry-data"));
        Assert.Contains("/nonexistent/registry-data", error.Message, StringComparison.Ordinal);
    }
}
