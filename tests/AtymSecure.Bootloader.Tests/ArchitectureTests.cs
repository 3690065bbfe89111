namespace AtymSecure.Bootloader.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void The_bootloader_core_assembly_references_only_the_base_and_the_shared_formats()
    {
        // The project files are checked in tests/AtymSecure.Cli.Tests/ArchitectureRulesTests; this checks what the
        // compiler actually linked (a reference that is declared but unused does not show here, one that is used does).
        var assembly = typeof(DeviceBootloader).Assembly;
        var ours = assembly.GetReferencedAssemblies().Select(a => a.Name!).Where(n => n.StartsWith("AtymSecure.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToArray();
        Assert.Empty(ours.Except(["AtymSecure.Formats", "AtymSecure.Primitives"]));
    }
}
