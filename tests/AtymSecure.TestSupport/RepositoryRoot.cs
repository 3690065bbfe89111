using System.Reflection;
using System.Runtime.CompilerServices;

namespace AtymSecure.TestSupport;

/// <summary>
/// The repository checkout (the folder holding AtymSecure.sln), for tests that read committed files
/// (samples, docs, project files, goldens kept in the tree). Builds may go to an --artifacts-path
/// outside the tree, so the place recorded at build time (AssemblyMetadata "RepoRoot") and this source
/// file's folder come first, then above the test binaries, then above the working directory.
/// </summary>
public static class RepositoryRoot
{
    private const string Marker = "AtymSecure.sln";

    public static string Path { get; } = Find();

    /// <summary>Full path of a repository file or folder given relative to the root (forward slashes fine).</summary>
    public static string File(string relative) => System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, relative));

    /// <summary>The samples folder (<c>samples/</c>).</summary>
    public static string Samples => File("samples");

    private static string Find([CallerFilePath] string sourceFile = "")
    {
        var recorded = typeof(RepositoryRoot).Assembly.GetCustomAttributes(typeof(AssemblyMetadataAttribute), false)
            .OfType<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepoRoot")?.Value;
        string?[] starts = [recorded, System.IO.Path.GetDirectoryName(sourceFile), AppContext.BaseDirectory, Environment.CurrentDirectory];
        foreach (var start in starts)
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, Marker))) return dir.FullName;
        }
        throw new InvalidOperationException($"{Marker} not found above {sourceFile}, {AppContext.BaseDirectory} or {Environment.CurrentDirectory}");
    }
}
