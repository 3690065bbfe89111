using AtymSecure.Oci.Content;
using AtymSecure.Oci.Layout;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Wire;
using AtymSecure.TestSupport;

namespace AtymSecure.Oci.Tests.Packing;

public sealed class FileArtifactsTests
{
    [Fact]
    public async Task Files_round_trip_through_a_layout_with_titles_and_media_types()
    {
        using var src = TempFolder.Create("oci-test");
        File.WriteAllText(src.File("a.txt"), "alpha");
        File.WriteAllBytes(src.File("m.wasm"), TestData.RandomBytes(3000));
        using var folder = TempFolder.Create("oci-test");
        var store = await OciLayoutStore.OpenAsync(folder.Path);
        var progress = new List<(string, long)>();
        var m = await FileArtifacts.PackFilesAsync(store,
            [new FileEntry(src.File("a.txt")), new FileEntry(src.File("m.wasm"), "application/wasm", "bin/m.wasm")],
            "application/vnd.test.files", new PackOptions { UseSourceDateEpoch = false }, (d, n) => progress.Add((d.Annotations![AnnotationKeys.Title], n)));
        await store.TagAsync(m, "v1");
        Assert.Contains(("bin/m.wasm", 3000L), progress);

        using var outDir = TempFolder.Create("oci-test");
        var files = await FileArtifacts.PullFilesAsync(store, "v1", outDir.Path);
        Assert.Equal(2, files.Count);
        Assert.Equal("alpha", File.ReadAllText(outDir.File("a.txt")));
        Assert.Equal(File.ReadAllBytes(src.File("m.wasm")), File.ReadAllBytes(Path.Combine(outDir.Path, "bin", "m.wasm")));
        Assert.Equal("application/wasm", files.Single(f => f.Path.EndsWith("m.wasm", StringComparison.Ordinal)).Layer.MediaType);
        Assert.Equal(MediaTypes.ImageLayer, files.Single(f => f.Path.EndsWith("a.txt", StringComparison.Ordinal)).Layer.MediaType);
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("a/../../evil")]
    [InlineData("/etc/passwd")]
    [InlineData("a\\..\\evil")]
    [InlineData("C:evil")]
    [InlineData("a//b")]
    [InlineData(".")]
    [InlineData("")]
    [InlineData("x\u0000y")]
    public async Task Titles_that_escape_the_folder_are_refused_before_anything_is_written(string title)
    {
        var store = new MemoryStore();
        var good = await store.PushBytesAsync("a/b", "ok"u8.ToArray(), new Dictionary<string, string> { [AnnotationKeys.Title] = "good.txt" });
        var bad = await store.PushBytesAsync("a/b", "bad"u8.ToArray(), new Dictionary<string, string> { [AnnotationKeys.Title] = title });
        var m = await Packer.PackManifestAsync(store, "application/vnd.test", new PackOptions { Layers = [good, bad], UseSourceDateEpoch = false });
        using var outDir = TempFolder.Create("oci-test");
        await Assert.ThrowsAsync<UnsafeFileNameException>(() => FileArtifacts.PullFilesAsync(store, m.Digest.ToString(), outDir.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outDir.Path));
    }

    [Fact]
    public async Task A_symlinked_folder_inside_the_output_is_not_followed()
    {
        var store = new MemoryStore();
        var layer = await store.PushBytesAsync("a/b", "x"u8.ToArray(), new Dictionary<string, string> { [AnnotationKeys.Title] = "link/file" });
        var m = await Packer.PackManifestAsync(store, "application/vnd.test", new PackOptions { Layers = [layer], UseSourceDateEpoch = false });
        using var outDir = TempFolder.Create("oci-test");
        using var elsewhere = TempFolder.Create("oci-test");
        Directory.CreateSymbolicLink(outDir.File("link"), elsewhere.Path);
        await Assert.ThrowsAsync<UnsafeFileNameException>(() => FileArtifacts.PullFilesAsync(store, m.Digest.ToString(), outDir.Path));
        Assert.Empty(Directory.EnumerateFileSystemEntries(elsewhere.Path));
    }

    [Fact]
    public async Task Packing_reports_every_bad_file_at_once()
    {
        using var src = TempFolder.Create("oci-test");
        File.WriteAllText(src.File("a.txt"), "a");
        var e = await Assert.ThrowsAsync<ArgumentException>(() => FileArtifacts.PackFilesAsync(new MemoryStore(),
            [new FileEntry(src.File("a.txt")), new FileEntry(src.File("a.txt")), new FileEntry(src.File("missing")),
             new FileEntry(src.File("a.txt"), "bad", "../x")]));
        Assert.Contains("used twice", e.Message, StringComparison.Ordinal);
        Assert.Contains("no such file", e.Message, StringComparison.Ordinal);
        Assert.Contains("'..'", e.Message, StringComparison.Ordinal);
        Assert.Contains("media type 'bad'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Overwrite_disabled_stops_before_writing()
    {
        var store = new MemoryStore();
        var layer = await store.PushBytesAsync("a/b", "new"u8.ToArray(), new Dictionary<string, string> { [AnnotationKeys.Title] = "f.txt" });
        var m = await Packer.PackManifestAsync(store, "application/vnd.test", new PackOptions { Layers = [layer], UseSourceDateEpoch = false });
        using var outDir = TempFolder.Create("oci-test");
        File.WriteAllText(outDir.File("f.txt"), "old");
        await Assert.ThrowsAsync<AlreadyExistsException>(() => FileArtifacts.PullFilesAsync(store, m.Digest.ToString(), outDir.Path, new PullFilesOptions { Overwrite = false }));
        Assert.Equal("old", File.ReadAllText(outDir.File("f.txt")));
        await FileArtifacts.PullFilesAsync(store, m.Digest.ToString(), outDir.Path);
        Assert.Equal("new", File.ReadAllText(outDir.File("f.txt")));
    }
}
