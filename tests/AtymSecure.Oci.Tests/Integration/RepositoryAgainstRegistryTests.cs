using AtymSecure.Oci.Content;
using AtymSecure.Oci.Copying;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Remote;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Oci.Tests.Integration;

/// <summary>End-to-end: our client against our registry server (in-process, real loopback HTTP).</summary>
public sealed class RepositoryAgainstRegistryTests
{
    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var i in items) list.Add(i);
        return list;
    }

    [Fact]
    public async Task Push_pull_resolve_tag_list_and_delete()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        Assert.True(await registry.Registry(registry.Options()).PingAsync());
        var repo = registry.Repo("demo/app");
        var data = TestData.RandomBytes(70_000);
        var blob = await repo.PushBytesAsync("application/vnd.test.layer", data);
        Assert.True(await repo.ExistsAsync(blob));
        Assert.Equal(data, await repo.FetchAllAsync(blob, long.MaxValue));

        var m = await Packer.PackManifestAsync(repo, "application/vnd.test", new PackOptions { Layers = [blob], UseSourceDateEpoch = false });
        foreach (var t in new[] { "v3", "v1", "v2" }) await repo.TagAsync(m, t);
        var resolved = await repo.ResolveAsync("v2");
        Assert.Equal(m.Digest, resolved.Digest);
        Assert.Equal(m.Size, resolved.Size);
        Assert.Equal(MediaTypes.ImageManifest, resolved.MediaType);
        var (fetched, content) = await repo.FetchAsync($"{registry.Host}/demo/app:v1");
        Assert.Equal(m.Digest, fetched.Digest);
        Assert.Equal("application/vnd.test", ManifestNode.Parse(fetched, ((MemoryStream)content).ToArray()).ArtifactType);

        Assert.Equal(["v1", "v2", "v3"], await ToListAsync(repo.ListTagsAsync())); // PageSize 2 → follows Link
        Assert.Equal(["v3"], await ToListAsync(repo.ListTagsAsync("v2")));

        await repo.DeleteAsync(m);
        await Assert.ThrowsAsync<NotFoundException>(() => repo.ResolveAsync("v1"));
        await repo.DeleteAsync(blob);
        Assert.False(await repo.ExistsAsync(blob));
        await Assert.ThrowsAsync<NotFoundException>(() => repo.FetchAsync(blob));
    }

    [Fact]
    public async Task Large_blob_is_uploaded_in_chunks_honouring_the_servers_minimum()
    {
        await using var registry = await LoopbackRegistry.StartAsync(o => o with { ChunkMinLength = 64 * 1024 });
        var repo = registry.Repo("demo/big", registry.Options(chunkThreshold: 100_000, chunkSize: 10_000));
        var data = TestData.RandomBytes(300_000, 5);
        var d = await repo.PushBytesAsync("application/octet-stream", data);
        Assert.Equal(data, await repo.FetchAllAsync(d, long.MaxValue));
    }

    [Fact]
    public async Task Server_rejects_content_whose_digest_we_lie_about_and_nothing_appears()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var repo = registry.Repo("demo/app");
        var lie = Descriptor.FromBytes("application/octet-stream", [1, 2, 3]);
        await Assert.ThrowsAsync<DigestMismatchException>(() => repo.PushAsync(lie, new MemoryStream([3, 2, 1])));
        Assert.False(await repo.ExistsAsync(lie));
        var e = await Assert.ThrowsAsync<InvalidReferenceException>(() => repo.ResolveAsync($"{registry.Host}/other/repo:v1"));
        Assert.Contains("another repository", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Referrers_use_the_API_with_filter_and_never_write_a_fallback_tag()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var repo = registry.Repo("demo/app");
        var subject = await TestData.PushArtifactAsync(repo, "subject");
        await repo.TagAsync(subject, "v1");
        var sig = await TestData.PushArtifactAsync(repo, "sig", "application/vnd.test.sig", subject, new Dictionary<string, string> { ["note"] = "n" });
        await TestData.PushArtifactAsync(repo, "sbom", "application/vnd.test.sbom", subject);
        Assert.Equal(ReferrersSupport.Supported, repo.ReferrersSupport);

        var fresh = registry.Repo("demo/app");
        Assert.Equal(2, (await ToListAsync(fresh.ListReferrersAsync(subject))).Count);
        var sigs = await ToListAsync(fresh.ListReferrersAsync(subject, "application/vnd.test.sig"));
        Assert.Equal(sig.Digest, Assert.Single(sigs).Digest);
        Assert.Equal("n", sigs[0].Annotations!["note"]);
        Assert.Equal(["v1"], await ToListAsync(fresh.ListTagsAsync()));
        Assert.True(await registry.Repo("demo/app").PingReferrersAsync());
    }

    [Fact]
    public async Task Referrers_listing_follows_Link_pages_of_the_server()
    {
        await using var registry = await LoopbackRegistry.StartAsync(o => o with { ReferrersPageSize = 1 });
        var repo = registry.Repo("demo/paged");
        var subject = await TestData.PushArtifactAsync(repo, "subject");
        var pushed = new List<Digest>();
        for (var i = 0; i < 3; i++) pushed.Add((await TestData.PushArtifactAsync(repo, $"r{i}", "application/vnd.test.sig", subject)).Digest);
        var listed = await ToListAsync(registry.Repo("demo/paged").ListReferrersAsync(subject));
        Assert.Equal(pushed.Select(d => d.ToString()).Order(), listed.Select(d => d.Digest.ToString()).Order());
    }

    [Fact]
    public async Task Cross_repository_mount_and_copy_between_repositories()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var a = registry.Repo("team/a");
        var m = await TestData.PushArtifactAsync(a, "payload");
        await a.TagAsync(m, "v1");
        var mounted = 0;
        await a.CopyAsync("v1", registry.Repo("team/b"), null, new CopyOptions { OnMounted = _ => Interlocked.Increment(ref mounted) });
        Assert.Equal(2, mounted);
        Assert.Equal(m.Digest, (await registry.Repo("team/b").ResolveAsync("v1")).Digest);
        var blob = await a.PushBytesAsync("application/octet-stream", new byte[] { 4, 2 });
        await registry.Repo("team/c").MountAsync(blob, "team/a");
        Assert.True(await registry.Repo("team/c").ExistsAsync(blob));
    }

    [Fact]
    public async Task Copy_registry_to_layout_to_registry_with_referrers_keeps_every_digest()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var src = registry.Repo("demo/src");
        var subject = await TestData.PushArtifactAsync(src, "image");
        await src.TagAsync(subject, "v1");
        var sig = await TestData.PushArtifactAsync(src, "sig", "application/vnd.test.sig", subject);
        var countersig = await TestData.PushArtifactAsync(src, "countersig", "application/vnd.test.countersig", sig);

        using var folder = TempFolder.Create("oci-test");
        var layout = await OciLayoutStore.OpenAsync(folder.Path);
        await src.CopyAsync("v1", layout, null, new CopyOptions { IncludeReferrers = true });
        var reopened = await OciLayoutStore.OpenAsync(layout.Root);
        var dst = registry.Repo("demo/dst");
        await reopened.CopyAsync("v1", dst, "copied", new CopyOptions { IncludeReferrers = true });

        Assert.Equal(subject.Digest, (await dst.ResolveAsync("copied")).Digest);
        Assert.Equal(sig.Digest, Assert.Single(await ToListAsync(dst.ListReferrersAsync(subject))).Digest);
        Assert.Equal(countersig.Digest, Assert.Single(await ToListAsync(dst.ListReferrersAsync(sig))).Digest);
    }

    [Fact]
    public async Task Files_pushed_to_the_registry_come_back_identical()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        using var src = TempFolder.Create("oci-test");
        File.WriteAllBytes(src.File("module.wasm"), TestData.RandomBytes(20_000));
        File.WriteAllText(src.File("atym.yaml"), "name: demo\n");
        var repo = registry.Repo("demo/files");
        var m = await FileArtifacts.PackFilesAsync(repo, [new FileEntry(src.File("module.wasm"), "application/wasm"), new FileEntry(src.File("atym.yaml"))],
            "application/vnd.atym.test", new PackOptions { UseSourceDateEpoch = false });
        await repo.TagAsync(m, "v1");
        using var outDir = TempFolder.Create("oci-test");
        var files = await FileArtifacts.PullFilesAsync(registry.Repo("demo/files"), "v1", outDir.Path);
        Assert.Equal(2, files.Count);
        Assert.Equal(File.ReadAllBytes(src.File("module.wasm")), File.ReadAllBytes(outDir.File("module.wasm")));
        Assert.Equal("name: demo\n", File.ReadAllText(outDir.File("atym.yaml")));
    }

    [Fact]
    public async Task Real_loopback_sockets_plain_http_push_pull_and_copy()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var repo = registry.Repo("demo/loop", registry.Options(chunkThreshold: 50_000, chunkSize: 20_000));
        var big = TestData.RandomBytes(120_000, 8);
        var blob = await repo.PushBytesAsync("application/octet-stream", big);
        var m = await Packer.PackManifestAsync(repo, "application/vnd.test", new PackOptions { Layers = [blob], UseSourceDateEpoch = false });
        await repo.TagAsync(m, "v1");
        var memory = new MemoryStore();
        await repo.CopyAsync("v1", memory);
        Assert.Equal(big, await memory.FetchAllAsync(blob, long.MaxValue));
    }
}
