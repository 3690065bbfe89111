using System.CommandLine;
using AtymSecure.Cli.Ota;
using AtymSecure.Cli.Up;
using AtymSecure.DeviceAgent.Provisioning;
using AtymSecure.Fleet;

namespace AtymSecure.Cli.Commands;

/// <summary>
/// <c>atym up</c>: the main job on embedded defaults — everything on 127.0.0.1 with its state in one local folder
/// (<see cref="UpState"/>): the registry, the OTA server (LiteDB), and a simulated fleet of devices of two device classes
/// (this machine's Linux class and portable Pulley). It makes the demo's keys and TUF roots, builds, pushes and signs the
/// samples, releases them and runs the demo rollout (<see cref="DemoRollout"/>), printing the URLs and a live summary line.
/// Ctrl+C stops everything cleanly; a second run on the same folder resumes (same devices, no re-enrolment, releases reused).
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "State folder", DefaultValueFactory = _ => ".atym-data" };
        var registryPort = new Option<int>("--registry-port") { Description = "Registry port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 5000 };
        var otaPort = new Option<int>("--ota-port") { Description = "OTA server port on 127.0.0.1 (0 = any free port)", DefaultValueFactory = _ => 8080 };
        var devices = new Option<int>("--devices") { Description = "Simulated devices", DefaultValueFactory = _ => 12 };
        var samples = new Option<string>("--samples") { Description = "The samples folder of the repository", DefaultValueFactory = _ => "samples" };
        var command = new Command("up", "Run the AtymSecure stack locally on embedded defaults: registry, OTA server, a simulated fleet and a demo rollout")
        {
            data, registryPort, otaPort, devices, samples,
        };
        command.SetAction(async (result, cancel) =>
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var ct = stop.Token;
            var state = new UpState(result.GetValue(data)!);
            Console.Out.WriteLine($"AtymSecure on embedded defaults, state in {state.Root}");
            var vendorKey = await SamplePublisher.EnsureVendorKeyAsync(state, ct).ConfigureAwait(false);
            await using var stack = await LocalStack.StartAsync(state, vendorKey, result.GetValue(registryPort), result.GetValue(otaPort), TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
            Console.Out.WriteLine($"  registry  {stack.RegistryUrl}   (try: atym ls {stack.RegistryHost}/{SamplePublisher.Repository})");
            Console.Out.WriteLine($"  OTA API   {stack.OtaUrl}api/v1/   (admin token in {state.Folder}/admin.token: export ATYM_OTA_TOKEN=$(cat {state.Folder}/admin.token))");
            Console.Out.WriteLine($"  dashboard {stack.OtaUrl}ui/   (log in with the admin token)");
            Console.Out.WriteLine($"  API docs  {stack.OtaUrl}docs/");
            Console.Out.WriteLine($"  metrics   {stack.OtaUrl}metrics");
            Console.Out.WriteLine("Ctrl+C stops.");
            Console.Out.Flush();
            using var onServerStop = stack.Stopping.Register(stop.Cancel);

            var classes = new[] { DeviceProfile.Find(DeviceProfile.Host).DeviceClass.Name, "portable-pulley64" }.Distinct().ToArray();
            var roots = await TufBootstrap.EnsureAsync(state, stack, classes, vendorKey, ct).ConfigureAwait(false);
            var published = await SamplePublisher.PublishAsync(state, stack.RegistryHost, Path.GetFullPath(result.GetValue(samples)!), ct).ConfigureAwait(false);
            await TufBootstrap.ListSourcesAsync(state, stack, published, ct).ConfigureAwait(false);
            var references = published.Select(p => p.Reference).ToList();
            Console.Out.WriteLine($"samples pushed, signed and listed by the vendor: {string.Join(", ", references)}");
            using var api = new OtaApiClient(stack.OtaUrl, stack.AdminToken);
            var operations = new DemoOperator(api);
            var fleetOptions = new FleetOptions
            {
                Server = stack.OtaUrl,
                Devices = result.GetValue(devices),
                Profiles = classes,
                Roots = roots,
                EnrollmentToken = await operations.EnrollmentTokenAsync(state, ct).ConfigureAwait(false),
                DataDirectory = state.FleetData,
                FlashInFiles = true, // a second `atym up` resumes with what the devices' flash holds
            };
            await using (var fleet = FleetSimulator.Start(fleetOptions))
            {
                Console.Out.WriteLine($"fleet: {fleetOptions.Devices} simulated devices ({string.Join(", ", classes)}) in {state.FleetData}");
                using var live = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var summary = LiveSummary.RunAsync(fleet, Console.Out, live.Token);
                try
                {
                    await new DemoRollout(operations, fleet, references, classes, line => Console.Out.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}")).RunAsync(ct).ConfigureAwait(false);
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    Console.Out.WriteLine("stopping: devices, OTA server, registry");
                }
                await live.CancelAsync().ConfigureAwait(false);
                await summary.ConfigureAwait(false);
            }
            Console.Out.WriteLine("stopped");
            return 0;
        });
        return command;
    }
}
