using System.Text.RegularExpressions;
using AtymSecure.TestSupport;

namespace AtymSecure.Primitives.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempFolder _dir = TempFolder.Create("atomic-file");

    public void Dispose() => _dir.Dispose();

    /// <summary>Every file left in the folder, temp files included (they start with a dot).</summary>
    private string[] LeftFiles() =>
        [.. Directory.GetFiles(_dir.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Fact]
    public void Write_creates_the_file_and_overwrite_replaces_it_leaving_no_temp()
    {
        var path = _dir.File("state.bin");
        AtomicFile.Write(path, [1, 2, 3]);
        AtomicFile.Write(path, [4, 5]);
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Equal(["state.bin"], LeftFiles());
    }

    [Fact]
    public void Write_creates_missing_directories()
    {
        var path = Path.Combine(_dir.Path, "a", "b", "file.txt");
        AtomicFile.Write(path, "hi"u8);
        Assert.Equal("hi"u8.ToArray(), File.ReadAllBytes(path));
    }

    [Fact]
    public void Temp_file_is_beside_the_target_with_a_random_name_that_matches_the_cleanup_pattern()
    {
        var path = _dir.File("key.pem");
        var temps = new List<string>();
        for (var i = 0; i < 2; i++) AtomicFile.Write(path, stream => temps.Add(stream.Name));

        Assert.All(temps, t => Assert.Equal(_dir.Path, Path.GetDirectoryName(t)));
        Assert.All(temps, t => Assert.Matches(new Regex(@"^\.key\.pem\.tmp-[0-9a-f]{32}$"), Path.GetFileName(t)));
        Assert.NotEqual(temps[0], temps[1]);
        File.WriteAllBytes(temps[0], []); // what a crash would leave
        Assert.Equal([Path.GetFileName(temps[0])], Directory.GetFiles(_dir.Path, AtomicFile.TemporaryFilePattern).Select(Path.GetFileName));
    }

    [Fact]
    public void Owner_only_file_has_mode_0600_already_as_a_temp_before_the_rename()
    {
        if (OperatingSystem.IsWindows()) return; // no Unix modes to check
        var path = _dir.File("token-key.pem");
        UnixFileMode? tempMode = null;
        bool? targetExistedDuringWrite = null;
        AtomicFile.Write(path, stream =>
        {
            stream.Write("secret"u8);
            tempMode = OperatingSystem.IsWindows() ? null : File.GetUnixFileMode(stream.Name);
            targetExistedDuringWrite = File.Exists(path);
        }, new AtomicWriteOptions { OwnerOnly = true });

        Assert.Equal(OwnerReadWrite, tempMode);
        Assert.False(targetExistedDuringWrite);
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Failure_while_writing_leaves_the_old_file_intact_and_no_temp_behind()
    {
        var path = _dir.File("index.json");
        AtomicFile.Write(path, "old"u8);
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("new, half"u8);
            throw new InvalidOperationException("disk full");
        }));
        Assert.Equal("disk full", e.Message);
        Assert.Equal("old"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(["index.json"], LeftFiles());
    }

    [Fact]
    public async Task Async_failure_leaves_the_old_file_intact_and_no_temp_behind()
    {
        var path = _dir.File("blob");
        AtomicFile.Write(path, "old"u8);
        await Assert.ThrowsAsync<OperationCanceledException>(() => AtomicFile.WriteAsync(path, async (stream, ct) =>
        {
            await stream.WriteAsync("new"u8.ToArray(), ct);
            throw new OperationCanceledException();
        }));
        Assert.Equal("old"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Equal(["blob"], LeftFiles());
    }

    [Fact]
    public async Task WriteAsync_streams_the_content_into_place()
    {
        var path = _dir.File("layer.tar");
        var content = new byte[300_000];
        Random.Shared.NextBytes(content);
        await AtomicFile.WriteAsync(path, (stream, ct) => new MemoryStream(content).CopyToAsync(stream, ct));
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.Equal(["layer.tar"], LeftFiles());
    }

    [Fact]
    public void Create_new_refuses_an_existing_file_without_touching_it()
    {
        var path = _dir.File("flash.bin");
        File.WriteAllBytes(path, [9]);
        var called = false;
        Assert.Throws<IOException>(() => AtomicFile.Write(path, _ => called = true, new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew }));
        Assert.False(called);
        Assert.Equal([9], File.ReadAllBytes(path));
        Assert.Equal(["flash.bin"], LeftFiles());
    }

    [Fact]
    public void Create_new_refuses_a_file_another_writer_created_while_the_content_was_being_written()
    {
        var path = _dir.File("flash.bin");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write([1]);
            File.WriteAllBytes(path, [9]); // the other writer wins the race
        }, new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew }));
        Assert.Equal([9], File.ReadAllBytes(path));
        Assert.Equal(["flash.bin"], LeftFiles());
    }

    [Fact]
    public void Create_new_writes_a_missing_file()
    {
        var path = _dir.File("flash.bin");
        AtomicFile.Write(path, [7], new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew });
        Assert.Equal([7], File.ReadAllBytes(path));
    }

    [Fact]
    public void MoveIntoPlace_commits_a_finished_file_into_a_new_directory_and_create_new_refuses_an_existing_target()
    {
        var finished = _dir.File("upload-1");
        File.WriteAllBytes(finished, [1, 2]);
        var target = Path.Combine(_dir.Path, "blobs", "ab", "abcd");
        AtomicFile.MoveIntoPlace(finished, target, AtomicWriteMode.Overwrite);
        Assert.Equal([1, 2], File.ReadAllBytes(target));
        Assert.False(File.Exists(finished));

        File.WriteAllBytes(finished, [3]);
        Assert.Throws<IOException>(() => AtomicFile.MoveIntoPlace(finished, target, AtomicWriteMode.CreateNew));
        Assert.Equal([1, 2], File.ReadAllBytes(target));
        Assert.True(File.Exists(finished)); // the caller owns it on failure
    }
}
