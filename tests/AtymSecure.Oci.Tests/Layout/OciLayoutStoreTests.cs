using System.Text.Json;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.Oci.Tests.Layout;

public sealed class OciLayoutStoreTests
{
    [Fact]
    public async Task New_layout_has_the_spec_files_and_tags_are_ref_name_entries()
    {
        using var dir = TempFolder.Create("oci-test");
        var store = await OciLayoutStore.OpenAsync(dir.Path);
        Assert.Equal("""{"imageLayoutVersion":"1.0.0"}""", File.ReadAllText(dir.File("oci-layout")));
        var m = await TestData.PushArtifactAsync(store, "hello");
        await store.TagAsync(m, "v1");
        Assert.True(File.Exists(Path.Combine(dir.Path, "blobs", "sha256", m.Digest.Encoded)));
        using var index = JsonDocument.Parse(File.ReadAllBytes(dir.File("index.json")));
        var entry = Assert.Single(index.RootElement.GetProperty("manifests").EnumerateArray());
        Assert.Equal("v1", entry.GetProperty("annotations").GetProperty(AnnotationKeys.RefName).GetString());
        Assert.Equal(m.Digest.ToString(), entry.GetProperty("digest").GetString());
        Assert.Empty(Directory.GetFiles(dir.Path, AtomicFile.TemporaryFilePattern, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Reopening_restores_tags_referrers_and_untagged_roots()
    {
        using var dir = TempFolder.Create("oci-test");
        var store = await OciLayoutStore.OpenAsync(dir.Path);
        var subject = await TestData.PushArtifactAsync(store, "subject");
        await store.TagAsync(subject, "v1");
        var sig = await TestData.PushArtifactAsync(store, "sig", "application/vnd.test.sig", subject);

        var again = await OciLayoutStore.OpenAsync(dir.Path);
        Assert.Equal(subject.Digest, (await again.ResolveAsync("v1")).Digest);
        var referrers = new List<Descriptor>();
        await foreach (var d in again.ListReferrersAsync(subject)) referrers.Add(d);
        Assert.Equal(sig.Digest, Assert.Single(referrers).Digest);
        Assert.Equal("application/vnd.test.sig", referrers[0].ArtifactType);
        Assert.Equal(sig.Digest, (await again.ResolveAsync(sig.Digest.ToString())).Digest);
        var tags = new List<string>();
        await foreach (var t in again.ListTagsAsync()) tags.Add(t);
        Assert.Equal(["v1"], tags);
    }

    [Fact]
    public async Task Content_that_fails_verification_never_becomes_visible()
    {
        using var dir = TempFolder.Create("oci-test");
        var store = await OciLayoutStore.OpenAsync(dir.Path);
        var claimed = Descriptor.FromBytes("application/octet-stream", [1, 2, 3]);
        await Assert.ThrowsAsync<DigestMismatchException>(() => store.PushAsync(claimed, new MemoryStream([1, 2, 4])));
        await Assert.ThrowsAsync<SizeMismatchException>(() => store.PushAsync(claimed, new MemoryStream([1, 2, 3, 4])));
        Assert.False(await store.ExistsAsync(claimed));
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "blobs", "sha256")) && Directory.GetFiles(Path.Combine(dir.Path, "blobs", "sha256")).Length > 0);
        Assert.Empty(Directory.GetFiles(dir.Path, AtomicFile.TemporaryFilePattern, SearchOption.AllDirectories));
    }

    [Fact]
    public async Task Second_push_of_the_same_blob_is_AlreadyExists_and_tampered_blob_fails_on_read()
    {
        using var dir = TempFolder.Create("oci-test");
        var store = await OciLayoutStore.OpenAsync(dir.Path);
        var d = await store.PushBytesAsync("application/octet-stream", new byte[] { 5, 6 });
        await Assert.ThrowsAsync<AlreadyExistsException>(() => store.PushBytesAsync("application/octet-stream", new byte[] { 5, 6 }));
        File.WriteAllBytes(Path.Combine(dir.Path, "blobs", "sha256", d.Digest.Encoded), [5, 7]);
        await Assert.ThrowsAsync<DigestMismatchException>(() => store.FetchAllAsync(d));
    }

    [Fact]
    public async Task Delete_removes_blob_tags_and_index_entry()
    {
        using var dir = TempFolder.Create("oci-test");
        var store = await OciLayoutStore.OpenAsync(dir.Path);
        var m = await TestData.PushArtifactAsync(store, "x");
        await store.TagAsync(m, "v1");
        await store.DeleteAsync(m);
        await Assert.ThrowsAsync<NotFoundException>(() => store.ResolveAsync("v1"));
        await Assert.ThrowsAsync<NotFoundException>(() => store.FetchAsync(m));
        var again = await OciLayoutStore.OpenAsync(dir.Path);
        await Assert.ThrowsAsync<NotFoundException>(() => again.ResolveAsync("v1"));
    }

    [Theory]
    [InlineData("oci-layout", "{\"imageLayoutVersion\":\"2.0.0\"}")]
    [InlineData("oci-layout", "not json")]
    [InlineData("random.txt", "some other folder")]
    public async Task Folders_that_are_not_layouts_are_refused_with_a_reason(string file, string content)
    {
        using var dir = TempFolder.Create("oci-test");
        File.WriteAllText(dir.File(file), content);
        var e = await Assert.ThrowsAsync<InvalidLayoutException>(() => OciLayoutStore.OpenAsync(dir.Path));
        Assert.Contains(dir.Path, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_index_json_is_refused()
    {
        using var dir = TempFolder.Create("oci-test");
        await OciLayoutStore.OpenAsync(dir.Path);
        File.WriteAllText(dir.File("index.json"), """{"schemaVersion":2,"manifests":[{"mediaType":"x/y","digest":"sha256:nothex","size":1}]}""");
        var e = await Assert.ThrowsAsync<InvalidLayoutException>(() => OciLayoutStore.OpenAsync(dir.Path));
        Assert.Contains("index.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Concurrent_pushes_and_tags_keep_index_json_consistent()
    {
        using var dir = TempFolder.Create("oci-test");
        var store = await OciLayoutStore.OpenAsync(dir.Path);
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async i =>
        {
            var m = await TestData.PushArtifactAsync(store, $"item {i}");
            await store.TagAsync(m, $"t{i}");
        }));
        var again = await OciLayoutStore.OpenAsync(dir.Path);
        var tags = new List<string>();
        await foreach (var t in again.ListTagsAsync()) tags.Add(t);
        Assert.Equal(16, tags.Count);
    }
}
