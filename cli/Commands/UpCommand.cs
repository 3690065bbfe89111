using System.CommandLine;
using AtymSecure.Registry.Hosting;

namespace AtymSecure.Cli.Commands;

/// <summary>
/// <c>atym up</c>: the main job on embedded defaults — everything on 127.0.0.1 with its state in
/// one local folder (LiteDB metadata, blob folder). Today that is the registry; the OTA server and
/// simulated devices join as they land.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "State folder", DefaultValueFactory = _ => ".atym-data" };
        var registryPort = new Option<int>("--registry-port") { Description = "Registry port on 127.0.0.1", DefaultValueFactory = _ => 5000 };
        var command = new Command("up", "Run the AtymSecure stack locally on embedded defaults") { data, registryPort };
        command.SetAction(async (result, ct) =>
        {
            var root = Path.GetFullPath(result.GetValue(data)!);
            var options = new RegistryOptions
            {
                DataDirectory = Path.Combine(root, "registry"),
                ListenUrl = $"http://127.0.0.1:{result.GetValue(registryPort)}",
            };
            Console.WriteLine($"AtymSecure on embedded defaults, state in {root}");
            Console.WriteLine($"  registry  {options.ListenUrl}   (try: atym push 127.0.0.1:{result.GetValue(registryPort)}/demo:v1 README.md)");
            Console.WriteLine("Ctrl+C stops.");
            await RegistryServer.RunAsync(options, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
