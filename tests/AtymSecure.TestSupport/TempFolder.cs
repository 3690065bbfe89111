namespace AtymSecure.TestSupport;

/// <summary>
/// A fresh, empty folder under the system temp directory, deleted with everything in it on
/// <see cref="Dispose"/> (best effort: a file a killed child process still holds does not fail the test).
/// </summary>
public sealed class TempFolder : IDisposable
{
    private TempFolder(string path) => Path = path;

    public string Path { get; }

    /// <summary>Creates <c>$TMP/atym-&lt;purpose&gt;-&lt;random&gt;</c>; the purpose shows up in leftover folder names.</summary>
    public static TempFolder Create(string purpose = "test")
    {
        ArgumentException.ThrowIfNullOrEmpty(purpose);
        return new TempFolder(Directory.CreateTempSubdirectory($"atym-{purpose}-").FullName);
    }

    /// <summary>Full path of <paramref name="relative"/> inside the folder (nothing is created).</summary>
    public string File(string relative) => System.IO.Path.Combine(Path, relative);

    /// <summary>Writes <paramref name="content"/> to <paramref name="relative"/> inside the folder; returns its full path.</summary>
    public string Write(string relative, byte[] content)
    {
        var path = File(relative);
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to <paramref name="relative"/> inside the folder; returns its full path.</summary>
    public string Write(string relative, string text)
    {
        var path = File(relative);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Creates (if missing) and returns a subfolder.</summary>
    public string Folder(string relative) => Directory.CreateDirectory(File(relative)).FullName;

    public override string ToString() => Path;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }
}
