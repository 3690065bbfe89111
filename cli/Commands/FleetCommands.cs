using System.CommandLine;
using AtymSecure.Cli.Up;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.Fleet;

namespace AtymSecure.Cli.Commands;

/// <summary>
/// <c>atym fleet simulate</c>: N simulated devices in this process against a real OTA server (fleet/, <see cref="FleetSimulator"/>);
/// prints the fleet summary as it changes and the memory per device once all have powered on; Ctrl+C (or --duration) stops
/// every device cleanly.
/// </summary>
internal static class FleetCommands
{
    public static Command Create()
    {
        var fleet = new Command("fleet", "Simulated device fleets");
        fleet.Subcommands.Add(Simulate());
        return fleet;
    }

    private static Command Simulate()
    {
        var server = new Option<string[]>("--server")
        {
            Description = "The OTA server's URL (http://host:port/); repeat it or give a comma list for replicas on one store: devices spread over them and fail over (the first is the origin every replica must accept)",
            Required = true,
        };
        var devices = new Option<int>("--devices", "-n") { Description = "How many devices", DefaultValueFactory = _ => 8 };
        var profiles = new Option<string[]>("--profile") { Description = $"Device profile, repeatable, assigned round-robin ({string.Join(", ", DeviceProfile.Names)})" };
        var faults = new Option<string[]>("--fault") { Description = "KIND:SHARE[:ARG], repeatable: " + string.Join(", ", FleetFault.Names.Keys) + "; SHARE = N% or a count; e.g. failing-health:25%, slow-link:2:32KiB, offline:10%:30s" };
        var token = new Option<string?>("--enroll-token") { Description = "Fleet enrolment token (without one, devices wait pending for approval)" };
        var data = new Option<string?>("--data") { Description = "Fleet folder (one sub-folder per device; reused by the next run). Default: a temporary folder, removed at the end" };
        var flashFiles = new Option<bool>("--flash-files") { Description = "Keep each device's flash in DATA/devices/N/flash.img instead of memory" };
        var directorRoot = new Option<string>("--director-root") { Description = "The director's root file every device trusts", Required = true };
        var imageRoot = new Option<string>("--image-root") { Description = "The image repository's root file every device trusts", Required = true };
        var duration = new Option<TimeSpan?>("--duration") { Description = "Stop after this long, hh:mm:ss (default: until Ctrl+C)" };
        var command = new Command("simulate", "Run N device agents in this process against a real OTA server")
        {
            server, devices, profiles, faults, token, data, flashFiles, directorRoot, imageRoot, duration,
        };
        command.Validators.Add(r =>
        {
            foreach (var text in Servers(r.GetValue(server)))
                if (ServerUrl.Parse(text) is null) r.AddError($"--server '{text}' is not an absolute http:// or https:// URL");
        });
        command.SetAction(async (result, ct) =>
        {
            var folder = result.GetValue(data);
            var temporary = folder is null;
            folder ??= Path.Combine(Path.GetTempPath(), "atym-fleet-" + Guid.NewGuid().ToString("N")[..8]);
            var options = new FleetOptions
            {
                Server = ServerUrl.Parse(Servers(result.GetValue(server))[0])!,
                OtherServers = [.. Servers(result.GetValue(server)).Skip(1).Select(t => ServerUrl.Parse(t)!)],
                Devices = result.GetValue(devices),
                Profiles = result.GetValue(profiles) is { Length: > 0 } p ? p : [DeviceProfile.Host],
                Faults = [.. (result.GetValue(faults) ?? []).Select(FleetFault.Parse)],
                EnrollmentToken = result.GetValue(token),
                DataDirectory = Path.GetFullPath(folder),
                FlashInFiles = result.GetValue(flashFiles),
                Roots = new TrustRootFiles(result.GetValue(directorRoot)!, result.GetValue(imageRoot)!),
            };
            // Ctrl+C stops every device and removes a temporary folder before the process exits (0).
            using var stop = new StopSignals(ct);
            if (result.GetValue(duration) is { } limit) stop.StopAfter(limit);
            try
            {
                Console.Out.WriteLine($"fleet: {options.Devices} devices ({string.Join(", ", options.Profiles)}) against {string.Join(", ", options.AllServers)}, folder {options.DataDirectory}" +
                    (options.Faults.Count > 0 ? $", faults {string.Join(", ", options.Faults)}" : ""));
                await using (var simulator = FleetSimulator.Start(options))
                {
                    await LiveSummary.RunAsync(simulator, Console.Out, stop.Token).ConfigureAwait(false);
                    Console.Out.WriteLine("fleet: stopping every device");
                }
                Console.Out.WriteLine("fleet: stopped");
            }
            finally
            {
                if (temporary && Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            }
            return 0;
        });
        return command;
    }

    /// <summary>Every --server value, comma lists split.</summary>
    private static List<string> Servers(string[]? values) =>
        [.. (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
