using System.CommandLine;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.Cli.Commands;

/// <summary><c>atym ota serve</c>: run the OTA service (docs/ota-server.md); the operator verbs talk to it over HTTP.</summary>
internal static class OtaCommands
{
    public static Command Create()
    {
        var ota = new Command("ota", "Run the OTA service and operate it");
        ota.Subcommands.Add(Serve());
        return ota;
    }

    private static Command Serve()
    {
        var listen = new Option<string?>("--listen") { Description = "Address to listen on, e.g. 127.0.0.1:8080 or https://0.0.0.0:8443" };
        var data = new Option<string?>("--data") { Description = "Data folder (database, keys, bundles)" };
        var config = new Option<string?>("--config") { Description = "Server options file (JSON); flags override it" };
        var command = new Command("serve", "Serve the device and operator APIs") { listen, data, config };
        command.SetAction(async (result, ct) =>
        {
            var options = result.GetValue(config) is { } file ? OtaServerOptionsFile.Load(file) : new OtaServerOptions();
            if (result.GetValue(data) is { } folder) options = options with { DataDirectory = folder };
            if (result.GetValue(listen) is { } address) options = options with { ListenUrl = address };
            options.EnsureValid();
            await OtaServerHost.RunAsync(options, app =>
            {
                var bootstrap = app.Services.GetRequiredService<AdminTokenBootstrap>();
                if (bootstrap.CreatedText is { } token)
                {
                    // Shown once: only its hash is stored. stdout, so a script can capture it.
                    Console.Out.WriteLine($"admin token: {token}");
                    Console.Out.Flush();
                    Console.Error.WriteLine("atym ota: this admin token is shown once; store it now (only its hash is kept)");
                }
                Console.Error.WriteLine($"atym ota: listening on {OtaServerHost.ListeningAddress(app)}, data in {Path.GetFullPath(options.DataDirectory)}");
            }, ct).ConfigureAwait(false);
            return 0;
        });
        return command;
    }
}
