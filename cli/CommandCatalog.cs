using System.CommandLine;
using AtymSecure.Cli.Commands;

namespace AtymSecure.Cli;

/// <summary>The verbs of `atym`, one factory per group.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return UpCommand.Create();
        yield return RegistryCommands.Create();
        yield return OtaCommands.Create();
        yield return TufCommands.Create();
        foreach (var c in ArtifactCommands.Create()) yield return c;
        foreach (var c in ContentCommands.Create()) yield return c;
        foreach (var c in ContainerCommands.Create()) yield return c;
        foreach (var c in SigningCommands.Create()) yield return c;
        foreach (var c in DeliveryCommands.Create()) yield return c;
        yield return DeviceCommands.Create();
        yield return FleetCommands.Create();
        yield return PolicyCommands.Create();
        yield return VersionCommand.Create();
    }
}
