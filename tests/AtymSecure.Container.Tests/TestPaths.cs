using AtymSecure.TestSupport;

namespace AtymSecure.Container.Tests;

/// <summary>Repository files (samples, docs, goldens) and per-test temp folders.</summary>
internal static class TestPaths
{
    public static string Repo => RepositoryRoot.Path;

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
}
