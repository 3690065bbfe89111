using System.Net;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Tests.Support;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Storage;

/// <summary>
/// What a kill -9 leaves behind: a copy of the data folder taken while the registry runs (no shutdown,
/// no flush) must open with every acknowledged blob, manifest and tag, and no partial blob.
/// </summary>
public sealed class CrashConsistencyTests
{
    private static void CopyTree(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            if (file.EndsWith("metadata.lock", StringComparison.Ordinal)) continue; // a kernel lock, not data
            // Read through a raw handle: File.Copy would honour the in-process share mode of the open database.
            using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var target = File.Create(file.Replace(from, to, StringComparison.Ordinal));
            source.CopyTo(target);
        }
    }

    [Fact]
    public async Task Snapshot_of_a_running_registry_keeps_acknowledged_writes_and_no_partial_blob()
    {
        await using var live = await LoopbackRegistry.StartAsync();
        var (manifest, digest) = await live.Client.PushImageAsync("app", "v1");
        using (var retag = await live.Client.PutManifestAsync("app", "v2", manifest)) Assert.Equal(HttpStatusCode.Created, retag.StatusCode);
        var partial = new byte[1 << 20];
        Random.Shared.NextBytes(partial);
        using var post = await live.Client.PostAsync("/v2/app/blobs/uploads/", null);
        using (var patch = await live.Client.PatchAsync(post.Headers.Location!, new ByteArrayContent(partial, 0, partial.Length / 2)))
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);

        // Take the "crash image" while everything is still open.
        var fixture = new LoopbackRegistry();
        Directory.Delete(fixture.DataDirectory);
        CopyTree(live.DataDirectory, fixture.DataDirectory);
        await using (fixture)
        {
            await fixture.InitializeAsync();
            using (var get = await fixture.Client.GetAsync("/v2/app/manifests/v2")) Assert.Equal(manifest, await get.Content.ReadAsByteArrayAsync());
            using (var get = await fixture.Client.GetAsync($"/v2/app/manifests/{digest}")) Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            using (var missing = await fixture.Client.GetAsync($"/v2/app/blobs/{Digest.Compute(partial)}")) Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            // The interrupted upload is resumable from where its data ends.
            using var status = await fixture.Client.GetAsync(post.Headers.Location!);
            Assert.Equal($"0-{partial.Length / 2 - 1}", RegistryCalls.Header(status, "Range"));
            using var rest = new ByteArrayContent(partial, partial.Length / 2, partial.Length / 2);
            using var put = await fixture.Client.PutAsync(RegistryCalls.WithQuery(post.Headers.Location!.ToString(), $"digest={Digest.Compute(partial)}"), rest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }
    }

    [Fact]
    public async Task Blob_files_appear_only_complete_and_under_their_digest()
    {
        await using var registry = await LoopbackRegistry.StartAsync();
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        var digest = await registry.Client.PushBlobAsync("app", content);
        var path = Path.Combine(registry.DataDirectory, "blobs", "sha256", digest.Encoded[..2], digest.Encoded);
        Assert.Equal(content, await File.ReadAllBytesAsync(path));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(registry.DataDirectory, "uploads")));
    }
}
