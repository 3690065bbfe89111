using System.CommandLine;
using AtymSecure.Cli;

// The `atym` command: every verb is a thin layer over one library entry point.
var root = new RootCommand("atym — build, sign, store and deliver WebAssembly containers to edge devices");
foreach (var command in CommandCatalog.All())
{
    root.Subcommands.Add(command);
}
return await root.Parse(args).InvokeAsync();
