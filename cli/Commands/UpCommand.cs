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
/// samples, releases them and runs the demo's deployments on the server's rollout engine (<see cref="DemoRollout"/>,
/// <see cref="DemoPlan"/>), printing the URLs, the admin token (once, on a fresh folder), the rollouts' progress and a live
/// summary line. Ctrl+C stops everything cleanly; a second run on the same folder resumes (same devices, no re-enrolment,
/// releases reused, no new deployment: it watches the ones it finds).
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
            Console.Out.WriteLine($"  OTA API   {stack.OtaUrl}api/v1/   (export ATYM_OTA_TOKEN=$(cat {state.Folder}/admin.token))");
            Console.Out.WriteLine($"  dashboard {stack.OtaUrl}ui/   (log in with the admin token)");
            // The token is a secret: shown once, when this run made it; later runs say only where it is.
            Console.Out.WriteLine(stack.NewAdminToken
                ? $"  admin token {stack.AdminToken}   (shown once; kept in {state.Folder}/admin.token, owner-only)"
                : $"  admin token in {state.Folder}/admin.token   (shown on the first run of this folder)");
            Console.Out.WriteLine($"  API docs  {stack.OtaUrl}docs/");
            Console.Out.WriteLine($"  metrics   {stack.OtaUrl}metrics");
            Console.Out.WriteLine("Ctrl+C stops.");
            Console.Out.Flush();
            using var onServerStop = stack.Stopping.Register(stop.Cancel);

            var classes = new[] { DeviceProfile.Find(DeviceProfile.Host).DeviceClass.Name, "portable-pulley64" }.Distinct().ToArray();
            var roots = await TufBootstrap.EnsureAsync(state, stack, classes, vendorKey, ct).ConfigureAwait(false);
            var published = await SamplePublisher.PublishAsync(state, stack.RegistryHost, Path.GetFullPath(result.GetValue(samples)!), ct).ConfigureAwait(false);
            await TufBootstrap.ListSourcesAsync(state, stack, published, ct).ConfigureAwait(false);
            Console.Out.WriteLine($"samples pushed, signed and listed by the vendor: {string.Join(", ", published.Select(p => p.Reference))}");
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
                    var releases = new List<(string Version, string ReleaseId)>();
                    foreach (var sample in published)
                    {
                        var release = await operations.ReleaseAsync(sample.Reference, sample.Version, classes, ct).ConfigureAwait(false);
                        Say($"release {release}: {DemoPlan.Container} {sample.Version}, compiled for {string.Join(", ", classes)}");
                        releases.Add((sample.Version, release));
                    }
                    var demo = new DemoRollout(operations, new DeploymentWatcher(api, Say), Say);
                    await demo.RunAsync(fleetOptions.Devices, DemoPlan.Story(releases), ct).ConfigureAwait(false);
                    await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
                }
                // Ctrl+C: the servers stop under a request in flight too.
                catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or OtaApiException)
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

    private static void Say(string line) => Console.Out.WriteLine($"[{DateTime.Now:HH:mm:ss}] {line}");
}
