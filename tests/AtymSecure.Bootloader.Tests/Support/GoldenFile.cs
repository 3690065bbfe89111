namespace AtymSecure.Bootloader.Tests;

/// <summary>Committed golden files (tests/AtymSecure.Bootloader.Tests/Golden, copied next to the test assembly).</summary>
internal static class GoldenFile
{
    public static string PathOf(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        Assert.True(File.Exists(path), $"golden file {name} is missing from tests/AtymSecure.Bootloader.Tests/Golden");
        return path;
    }

    public static byte[] Read(string name) => File.ReadAllBytes(PathOf(name));
}
