using AtymSecure.Delivery.Compilation;

namespace AtymSecure.Delivery.Tests.Compilation;

/// <summary>Paths and tools the compilation tests use; a missing tool fails the test naming its Debian package.</summary>
internal static class CompilationTestEnvironment
{
    /// <summary>tests/AtymSecure.Delivery.Tests/Compilation/TestData in the source tree.</summary>
    public static string TestData { get; } = FindTestData();

    /// <summary>Runs per qemu invocation are bounded by this (they finish in well under a second of guest time).</summary>
    public static TimeSpan QemuTimeout { get; } = TimeSpan.FromSeconds(20);

    public static string Require(string tool, string package) => ToolLocator.Require(tool, package);

    private static string FindTestData([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "")
    {
        // The source tree this assembly was built from (works with any --artifacts-path), else walk up from bin/.
        var besideSource = Path.Combine(Path.GetDirectoryName(thisFile) ?? "", "TestData");
        if (File.Exists(Path.Combine(besideSource, "kernel.c"))) return besideSource;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "AtymSecure.Delivery.Tests", "Compilation", "TestData");
            if (File.Exists(Path.Combine(candidate, "kernel.c"))) return candidate;
        }
        throw new InvalidOperationException($"cannot find tests/AtymSecure.Delivery.Tests/Compilation/TestData above {AppContext.BaseDirectory}");
    }
}
