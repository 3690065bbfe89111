namespace AtymSecure.Primitives.Tests;

/// <summary>A fresh folder under the system temp directory, deleted when the test ends.</summary>
internal sealed class ScratchDirectory : IDisposable
{
    public ScratchDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "atym-primitives-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Every file left in the folder, temp files included (they start with a dot).</summary>
    public string[] Files() => [.. Directory.GetFiles(Path, "*", SearchOption.AllDirectories).Select(System.IO.Path.GetFileName).Order(StringComparer.Ordinal)!];

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
