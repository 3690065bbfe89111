using System.Runtime.CompilerServices;

namespace AtymSecure.Formats.Tests.Wasm;

/// <summary>Finds files of the repository (samples, docs): from this source file's path (tests build outside the tree with --artifacts-path), else from the output folder.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    public static string File(string relative) => System.IO.Path.Combine(Path, relative);

    private static string Find([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { System.IO.Path.GetDirectoryName(sourceFile), AppContext.BaseDirectory })
        {
            for (var dir = start is null ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (System.IO.File.Exists(System.IO.Path.Combine(dir.FullName, "AtymSecure.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"AtymSecure.sln not found above {sourceFile} or {AppContext.BaseDirectory}");
    }
}
