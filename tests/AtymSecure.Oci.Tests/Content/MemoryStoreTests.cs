using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Tests.Content;

public sealed class MemoryStoreTests
{
    [Fact]
    public async Task Push_fetch_tag_resolve_delete()
    {
        var store = new MemoryStore();
        var m = await TestData.PushArtifactAsync(store, "x");
        await store.TagAsync(m, "v1");
        Assert.Equal(m.Digest, (await store.ResolveAsync("v1")).Digest);
        Assert.Equal(m.Digest, (await store.ResolveAsync(m.Digest.ToString())).Digest);
        await Assert.ThrowsAsync<InvalidReferenceException>(() => store.TagAsync(m, "bad tag"));
        await Assert.ThrowsAsync<NotFoundException>(() => store.TagAsync(Descriptor.FromBytes("a/b", [1]), "v2"));
        await store.DeleteAsync(m);
        await Assert.ThrowsAsync<NotFoundException>(() => store.ResolveAsync("v1"));
    }

    [Fact]
    public async Task Malformed_manifest_is_refused_before_it_is_stored()
    {
        var store = new MemoryStore();
        var bytes = "{\"schemaVersion\":2,\"config\":{}}"u8.ToArray();
        var d = Descriptor.FromBytes(MediaTypes.ImageManifest, bytes);
        await Assert.ThrowsAsync<InvalidManifestException>(() => store.PushAsync(d, new MemoryStream(bytes)));
        Assert.False(await store.ExistsAsync(d));
    }

    [Fact]
    public async Task Manifest_whose_mediaType_contradicts_its_descriptor_is_refused()
    {
        var store = new MemoryStore();
        var bytes = OciJson.Serialize(new ImageIndex());
        var d = Descriptor.FromBytes(MediaTypes.ImageManifest, bytes);
        var e = await Assert.ThrowsAsync<InvalidManifestException>(() => store.PushAsync(d, new MemoryStream(bytes)));
        Assert.Contains("$.mediaType", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verifying_stream_reports_overlong_content_immediately()
    {
        var d = Descriptor.FromBytes("a/b", [1, 2]);
        await using var s = new VerifyingStream(new MemoryStream([1, 2, 3]), d);
        var e = await Assert.ThrowsAsync<SizeMismatchException>(() => s.CopyToAsync(Stream.Null));
        Assert.Equal(-1, e.Actual);
    }
}
