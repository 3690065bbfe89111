using System.CommandLine;

namespace AtymSecure.Cli;

/// <summary>The verbs of `atym`, one factory per group.</summary>
internal static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        yield return VersionCommand.Create();
    }
}
