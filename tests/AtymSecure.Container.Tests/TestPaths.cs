using AtymSecure.TestSupport;

namespace AtymSecure.Container.Tests;

/// <summary>Repository files (samples, docs, goldens) and copies of samples in temp folders.</summary>
internal static class TestPaths
{
    public static string Repo => RepositoryRoot.Path;

    public static string File(string relative) => Path.Combine(Repo, relative);

    public static string Golden(string relative) => File(Path.Combine("tests/AtymSecure.Container.Tests/Golden", relative));

    /// <summary>Copies a sample project folder to a temp folder (tests may modify it; deleted on dispose).</summary>
    public static TempFolder CopySample(string sample)
    {
        var target = TempFolder.Create("container");
        foreach (var file in Directory.GetFiles(File(Path.Combine("samples", sample))))
            System.IO.File.Copy(file, target.File(Path.GetFileName(file)));
        return target;
    }
}
