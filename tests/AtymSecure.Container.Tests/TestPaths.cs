using System.Runtime.CompilerServices;

namespace AtymSecure.Container.Tests;

/// <summary>Repository files (samples, docs, goldens) and per-test temp folders.</summary>
internal static class TestPaths
{
    public static string Repo { get; } = FindRepo();

    public static string File(string relative) => Path.Combine(Repo, relative);

    public static string Golden(string relative) => File(Path.Combine("tests/AtymSecure.Container.Tests/Golden", relative));

    /// <summary>A new empty folder under the system temp dir.</summary>
    public static string NewTempDir()
    {
        var dir = Path.Combine(Path.GetTempPath(), "atym-container-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Copies a sample project folder to a temp folder (tests may modify it).</summary>
    public static string CopySample(string sample)
    {
        var target = NewTempDir();
        foreach (var file in Directory.GetFiles(File(Path.Combine("samples", sample))))
            System.IO.File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        return target;
    }

    private static string FindRepo([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { Path.GetDirectoryName(sourceFile), AppContext.BaseDirectory })
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (System.IO.File.Exists(Path.Combine(dir.FullName, "AtymSecure.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"AtymSecure.sln not found above {sourceFile} or {AppContext.BaseDirectory}");
    }
}
