using System.CommandLine;

namespace AtymSecure.Cli;

/// <summary>The root command; tests invoke it in-process with the same arguments a person types.</summary>
public static class AtymApp
{
    public static RootCommand Create()
    {
        var root = new RootCommand("atym — build, sign, store and deliver WebAssembly containers to edge devices");
        foreach (var command in CommandCatalog.All())
        {
            root.Subcommands.Add(command);
        }
        return root;
    }
}
