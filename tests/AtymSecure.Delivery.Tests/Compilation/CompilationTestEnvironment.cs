using AtymSecure.Delivery.Compilation;
using AtymSecure.TestSupport;

namespace AtymSecure.Delivery.Tests.Compilation;

/// <summary>Paths and tools the compilation tests use; a missing tool fails the test naming its Debian package.</summary>
internal static class CompilationTestEnvironment
{
    /// <summary>tests/AtymSecure.Delivery.Tests/Compilation/TestData in the source tree.</summary>
    public static string TestData { get; } = RepositoryRoot.File("tests/AtymSecure.Delivery.Tests/Compilation/TestData");

    /// <summary>Runs per qemu invocation are bounded by this (they finish in well under a second of guest time).</summary>
    public static TimeSpan QemuTimeout { get; } = TimeSpan.FromSeconds(20);

    public static string Require(string tool, string package) => ToolLocator.Require(tool, package);
}
