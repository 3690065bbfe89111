using AtymSecure.TestSupport;

namespace AtymSecure.Primitives.Tests;

public sealed class DirectorySyncTests
{
    [Fact]
    public void Flushing_an_existing_directory_succeeds()
    {
        using var dir = TempFolder.Create("directory-sync");
        DirectorySync.Flush(dir.Path);
        Assert.True(Directory.Exists(dir.Path));
    }

    [Fact]
    public void Flushing_a_missing_directory_is_an_IOException_naming_it()
    {
        if (OperatingSystem.IsWindows()) return; // a no-op there by design
        using var dir = TempFolder.Create("directory-sync");
        var missing = Path.Combine(dir.Path, "gone");
        var e = Assert.Throws<IOException>(() => DirectorySync.Flush(missing));
        Assert.Contains(missing, e.Message, StringComparison.Ordinal);
    }
}
