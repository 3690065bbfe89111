using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Formats;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Offline;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaReleases.Tests.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaRollouts;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Health;
using AtymSecure.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace AtymSecure.OtaReleases.Tests.Ddi;

/// <summary>
/// Issue 18 §1, the whole chain on one machine with every part real (docs/ddi.md, "SWUpdate gateways"): the OTA host
/// on a loopback port (real registry, import, compile, cut, director and image repository with their online keys,
/// rollouts, DDI with the <c>.swu</c> source), an atym gateway agent made and run by the CLI as processes (<c>atym
/// device init --director-root --image-root</c>, then <c>atym device run</c> whose inbox is the <c>.swu</c>'s rawfile
/// destination), and Debian's SWUpdate with suricatta as a process, whose controller id is the agent's device id.
/// A deployment targets the gateway; suricatta polls, downloads the <c>.swu</c> our server built around the agent's
/// offline export, checks its CMS signature, hardware revision and the sha256 of payload and script, and its rawfile
/// handler (atomic-install: <c>NAME.tar.tmp</c>, renamed to <c>NAME.tar</c>, which the inbox lists only once renamed)
/// drops the export into the running agent's inbox. Then the .swu's own <c>postinstall</c> script runs <c>atym device
/// await-install</c> for that file (through a wrapper at <see cref="SwuGatewayOptions.AtymCommand"/>): the agent verifies
/// metadata and bundle (Uptane, offline director document), installs, runs the container, its health trial passes and
/// it confirms, and only then does the script exit 0 and SWUpdate call the install successful. The success test keeps
/// the restart with <c>-c 2</c> after that: the "reboot" SWUpdate waits for after any successful install ("pending
/// testing"), which it needs before it sends <c>closed</c>/<c>success</c>.
/// The negative: a server whose online keys sign an export for another device (a stolen key, a misrouted build)
/// delivers an <c>.swu</c> SWUpdate accepts; the agent refuses it with <c>wrong-device</c>, nothing is written to a
/// slot, the script exits non-zero with that reason, SWUpdate's install fails and suricatta itself reports
/// <c>closed</c>/<c>failure</c> — no confirm step — and the rollout counts the gateway failed. The agent runs as the
/// <c>atym device run</c> process (not the in-process runner) because that is what a gateway runs, and SWUpdate writes
/// into its inbox from another process.
/// </summary>
[Trait("Requires", "swupdate")]
[Trait("Requires", "openssl")]
[Trait("Requires", "process")]
public sealed class SwuGatewayChainTests(ReleaseWorld world, ITestOutputHelper output) : IClassFixture<ReleaseWorld>, IDisposable
{
    private const string Hardware = "gw:1.0";
    private const string Version = "1.0.0";
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(180);

    private readonly TempFolder _folder = TempFolder.Create("swu-chain");

    public void Dispose() => _folder.Dispose();

    /// <summary>The gateway as the test drives it: the server, the agent's data folder and id, its DDI token, the deployment.</summary>
    private sealed record Gateway(ReleaseHost Host, AtymProcess Atym, string Data, string DeviceId, string Token, string DeploymentId,
        ConcurrentQueue<string> Feedback) : IAsyncDisposable
    {
        public string Inbox => new DeviceDirectory(Data).InboxDirectory;

        public DeviceStatus Status() => DeviceStatus.Load(new DeviceDirectory(Data), out _);

        public DeviceRollout Rollout() => Host.Service<RolloutService>().Find(DeploymentId)!.Device(DeviceId)!;

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }

    /// <summary>
    /// Builds every gateway's .swu as <see cref="SwuGatewayArtifactSource"/> does, but for <paramref name="victim"/>'s
    /// export: what a server whose online keys are misused, or a build sent to the wrong gateway, serves. SWUpdate cannot
    /// tell (the CMS signature is the server's); only the agent can.
    /// </summary>
    /// <summary>Keeps the raw body of every DDI feedback suricatta posts (the server keeps only a bounded summary line).</summary>
    private sealed class FeedbackRecorder(ConcurrentQueue<string> bodies) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Method == "POST" && context.Request.Path.Value?.EndsWith("/feedback", StringComparison.Ordinal) == true)
                {
                    context.Request.EnableBuffering();
                    using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
                    bodies.Enqueue(await reader.ReadToEndAsync());
                    context.Request.Body.Position = 0;
                }
                await nextMiddleware(context);
            });
            next(app);
        };
    }

    private sealed class ExportForAnotherDevice(SwuGatewayArtifactSource inner, IDeviceStore devices, string victim) : IDdiArtifactSource
    {
        public Task<DdiArtifactFile?> FindAsync(DdiArtifactRequest request, CancellationToken ct = default) =>
            inner.FindAsync(request with { Device = devices.Find(victim)! }, ct);
    }

    /// <summary>The gateway's <c>atym</c>: a wrapper script that runs the CLI built next to the tests (a gateway has it installed).</summary>
    private string AtymWrapper()
    {
        var wrapper = _folder.Write("atym", $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "atym.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
        return wrapper;
    }

    private SwuGatewayOptions SwuOptions(string data) => new()
    {
        DeviceClasses = new(["linux-x86_64"]),
        InboxDirectory = data + "/inbox",
        AtymCommand = AtymWrapper(),
        DeviceDirectory = data,
        VerdictTimeout = Long,
        HardwareCompatibility = new(["1.0"]),
        CertificateFile = SwuTestCertificate.Shared.CertificateFile,
        KeyFile = SwuTestCertificate.Shared.KeyFile,
    };

    /// <summary>
    /// The server, the TUF roots, the gateway agent provisioned with them, sensor-filter 1.0.0 imported, the gateway a DDI
    /// target (controller id = its device id) and a deployment of 1.0.0 to its group. With <paramref name="otherDevice"/>
    /// the server builds the gateway's .swu around that device's export instead (<see cref="ExportForAnotherDevice"/>).
    /// </summary>
    private async Task<Gateway> DeployedAsync(string? otherDevice = null)
    {
        var data = _folder.File("gateway");
        var inbox = Path.Combine(data, "inbox");
        var swu = SwuOptions(data);
        var feedback = new ConcurrentQueue<string>();
        Assert.Empty(swu.Validate());
        var host = await ReleaseHost.StartAsync(world, TempFolder.Create("swu-chain-host"), null, loopback: true,
            server: o => o with { Ddi = new DdiOptions { Swu = swu }, DeviceRateLimit = 1_000_000, PollInterval = TimeSpan.FromSeconds(1), PollJitterPercent = 0 },
            configure: b =>
            {
                b.Services.AddOtaRollouts(new OtaRolloutsOptions { TickInterval = TimeSpan.FromHours(1) });
                b.Services.AddSingleton<IStartupFilter>(new FeedbackRecorder(feedback));
                if (otherDevice is not null)
                    b.Services.AddSingleton<IDdiArtifactSource>(sp => new ExportForAnotherDevice(
                        new SwuGatewayArtifactSource(swu, sp.GetRequiredService<OfflineExporter>(),
                            new SignedBundleArtifactSource(sp.GetRequiredService<DesiredStateResolver>(), sp.GetRequiredService<IBundleStore>()),
                            _folder.File("misdirected-swu"), TimeProvider.System),
                        sp.GetRequiredService<IDeviceStore>(), otherDevice));
            });
        try
        {
            var (imageRoot, directorRoot) = host.BootstrapTuf(("sensor-filter", Version, Path.Combine(RepositoryRoot.Samples, "sensor-filter", "sensor-filter.wasm")));
            var atym = new AtymProcess(_folder.Path, new Dictionary<string, string> { ["ATYM_KEY_PASSPHRASE"] = "device-passphrase" });
            await atym.Ok("device", "init", "--data", data, "--profile", "host", "--container", "sensor-filter=1M",
                "--director-root", _folder.Write("director-root.json", directorRoot), "--image-root", _folder.Write("image-root.json", imageRoot));
            var id = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(data, "device.json"))).RootElement.GetProperty("deviceId").GetString()!;
            Assert.True(Directory.Exists(inbox), "device init makes the inbox SWUpdate writes into");
            if (otherDevice is not null)
                Assert.True(host.Service<IDeviceStore>().TryAdd(new DeviceRecord(otherDevice, "AAAA", "fp-" + otherDevice, "linux-x86_64", "host",
                    [new DevicePartition("sensor-filter", 1 << 20)], "0.0.0", DeviceState.Active, 0, ["eu"], EquatableMap<string>.Empty,
                    DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0)));

            var releaseId = await host.ImportAsync(world.SensorFilter(Version));
            using var created = await host.Client.PostAsJsonAsync("api/v1/ddi/targets", new { controllerId = id, deviceClass = "linux-x86_64", groups = new[] { "eu" } });
            Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
            var token = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            var deployment = await host.Service<RolloutService>().CreateAsync(new DeploymentRequest(releaseId, new DeploymentTargetRequest(["eu"]), Retries: 0),
                new OperatorIdentity("0admin00", "admin", OperatorRole.Admin, []));
            return new Gateway(host, atym, data, id, token, deployment.Id, feedback);
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <param name="confirm">suricatta's <c>-c</c> after the reboot: 2 reports the installed update successful, 3 failed.</param>
    private BackgroundProcess Suricatta(Gateway gateway, string tmp, int? confirm = null) => BackgroundProcess.Start(Swupdate.Program,
        ["-v", "-k", SwuTestCertificate.Shared.CertificateFile, "-H", Hardware,
            "-u", $"-t DEFAULT -u {gateway.Host.Url.ToString().TrimEnd('/')} -i {gateway.DeviceId} -k {gateway.Token} -p 1 -r 3 -w 1{(confirm is { } c ? $" -c {c}" : "")}"],
        Swupdate.InstallHint, environment: new Dictionary<string, string> { ["TMPDIR"] = tmp });

    /// <summary>
    /// The reboot after a successful install: SWUpdate ran the post-install script (the agent confirmed) and waits for a
    /// reboot ("pending testing"); suricatta started again with <c>-c 2</c> reports the install successful, as after any
    /// SWUpdate install. Returns the restarted suricatta and the log of the one that installed.
    /// </summary>
    private async Task<(BackgroundProcess Restarted, string InstallLog)> RebootAsync(BackgroundProcess suricatta, Gateway gateway, string tmp)
    {
        await Wait.UntilAsync(() => suricatta.Log.Contains("pending testing", StringComparison.Ordinal) || suricatta.HasExited, "SWUpdate to wait for the reboot", Long);
        await suricatta.DisposeAsync();
        var log = suricatta.Log;
        output.WriteLine("swupdate before the reboot (the install, from the download on):\n" + InstallPart(log));
        return (Suricatta(gateway, tmp, confirm: 2), log);
    }

    private static string InstallPart(string log) =>
        string.Join('\n', log.Split('\n').SkipWhile(l => !l.Contains("softwaremodules", StringComparison.Ordinal)).Where(l => !l.Contains("lua_", StringComparison.Ordinal)).Take(80));

    /// <summary>
    /// SWUpdate's rawfile handler with atomic-install wrote the export as <c>NAME.tar.tmp</c> (which the inbox never lists)
    /// and renamed it to <c>NAME.tar</c>: the agent cannot see a half-written export under the name it takes.
    /// </summary>
    private static void WroteAtomically(string installLog, string inbox)
    {
        var installing = installLog.Split('\n').Single(l => l.Contains("[install_raw_file] : Installing file", StringComparison.Ordinal));
        var renaming = installLog.Split('\n').Single(l => l.Contains("[install_raw_file] : Renaming file", StringComparison.Ordinal));
        var temp = installing[(installing.IndexOf(" on ", StringComparison.Ordinal) + 4)..].Trim();
        Assert.StartsWith(inbox + "/", temp);
        Assert.EndsWith(".tar.tmp", temp);
        Assert.EndsWith($"Renaming file {temp} to {temp[..^".tmp".Length]}", renaming.Trim());
    }

    private static async Task<DeviceRollout> CountedAsync(Gateway gateway, BackgroundProcess suricatta)
    {
        await Wait.UntilAsync(() => gateway.Rollout().State is DeviceRolloutState.Succeeded or DeviceRolloutState.Failed || suricatta.HasExited,
            "suricatta's closed feedback counted by the rollout", Long);
        return gateway.Rollout();
    }

    private void Print(BackgroundProcess? suricatta, BackgroundProcess? agent)
    {
        if (suricatta is not null) output.WriteLine("swupdate (tail):\n" + string.Join('\n', suricatta.Log.Split('\n').TakeLast(30)));
        if (agent is not null) output.WriteLine("atym device run (tail):\n" + string.Join('\n', agent.Log.Split('\n').TakeLast(30)));
    }

    [Fact]
    public async Task Suricatta_drops_our_swu_into_the_running_agent_which_verifies_installs_confirms_and_the_rollout_counts_it()
    {
        await using var hold = await Swupdate.Exclusive();
        await using var gateway = await DeployedAsync();
        BackgroundProcess? agent = null, suricatta = null;
        try
        {
            agent = gateway.Atym.Start("device", "run", "--data", gateway.Data);
            await Wait.UntilAsync(() => gateway.Status().Running is not null || agent.HasExited, "the agent running", Long);
            var tmp = _folder.Folder("tmp-ok");
            suricatta = Suricatta(gateway, tmp);

            bool Confirmed(DeviceStatus s) => s.Containers.Any(c => c.Name == "sensor-filter" && c.State == ContainerState.Confirmed && c.VersionIn(c.ConfirmedSlot) == Version);
            await Wait.UntilAsync(() => Confirmed(gateway.Status()) || gateway.Status().Installs.Any(i => i.Result != InstallResult.Installed) || agent.HasExited || suricatta.HasExited,
                "the agent to install and confirm the export SWUpdate dropped", Long);
            var status = gateway.Status();
            Assert.True(Confirmed(status), $"agent did not confirm {Version}: {JsonSerializer.Serialize(status.Installs)}\n{agent.Log}\n{suricatta.Log}");

            (suricatta, var installLog) = await RebootAsync(suricatta, gateway, tmp);
            WroteAtomically(installLog, gateway.Inbox);
            // SWUpdate ran our post-install script after the copy, and its install succeeded only because the agent confirmed.
            Assert.Contains($"confirmed sensor-filter {Version}", installLog, StringComparison.Ordinal);
            Assert.Contains("SWUPDATE successful", installLog, StringComparison.Ordinal);
            var device = await CountedAsync(gateway, suricatta);
            Assert.True(device.State == DeviceRolloutState.Succeeded, $"{device.State} {device.Reason}\n{suricatta.Log}");

            // The agent: the export (not a bare bundle) installed 1.0.0, the health trial passed, the container runs confirmed
            // (the run that passed the trial goes on; the runtime still calls it the trial run).
            status = gateway.Status();
            var install = Assert.Single(status.Installs);
            Assert.Equal((InstallResult.Installed, "sensor-filter", Version), (install.Result, install.Container, install.Version));
            Assert.Contains(status.Trials, t => t.Container == "sensor-filter" && t.Version == Version && t.Verdict == TrialVerdict.Passed);
            Assert.Contains(status.Containers, c => c.Name == "sensor-filter" && c.Runtime is { RunState: ContainerRunState.Running } r && r.Version == Version);
            Assert.Empty(Directory.EnumerateFileSystemEntries(gateway.Inbox));
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(gateway.Data, "downloads")));

            // The server: the target's action closed with success for 1.0.0, as suricatta reported after the agent confirmed.
            var target = await gateway.Host.Client.GetFromJsonAsync<JsonElement>($"api/v1/ddi/targets/{gateway.DeviceId}");
            var action = target.GetProperty("actions")[0];
            Assert.Equal((Version, "closed", "success"), (action.GetProperty("version").GetString(), action.GetProperty("state").GetString(), action.GetProperty("outcome").GetString()));
            var shown = await gateway.Atym.Ok("device", "status", "--data", gateway.Data);
            output.WriteLine("atym device status:\n" + shown);
            Assert.Contains(Version, shown, StringComparison.Ordinal);
        }
        finally
        {
            Print(suricatta, agent);
            if (suricatta is not null) await suricatta.DisposeAsync();
            if (agent is not null) await agent.DisposeAsync();
        }
    }

    [Fact]
    public async Task An_export_for_another_device_that_swupdate_accepts_is_refused_by_the_agent_with_wrong_device_and_counted_failed()
    {
        await using var hold = await Swupdate.Exclusive();
        const string other = "atym-00000000000000ff";
        await using var gateway = await DeployedAsync(otherDevice: other);
        BackgroundProcess? agent = null, suricatta = null;
        try
        {
            agent = gateway.Atym.Start("device", "run", "--data", gateway.Data);
            await Wait.UntilAsync(() => gateway.Status().Running is not null || agent.HasExited, "the agent running", Long);
            var tmp = _folder.Folder("tmp-other");
            suricatta = Suricatta(gateway, tmp);

            await Wait.UntilAsync(() => gateway.Status().Installs.Count > 0 || agent.HasExited || suricatta.HasExited, "the agent's verdict on the export SWUpdate dropped", Long);
            var status = gateway.Status();
            var refusal = Assert.Single(status.Installs);
            Assert.Equal(InstallResult.Refused, refusal.Result);
            Assert.StartsWith(ReasonCodes.WrongDevice + ":", refusal.Detail);
            Assert.Contains(other, refusal.Detail, StringComparison.Ordinal);
            Assert.All(status.Containers, c => Assert.All(c.Slots, slot => Assert.Null(slot.Version)));
            // Whatever the result, the inbox lets go of the file once the status holds it (not tried again).
            await Wait.UntilAsync(() => !Directory.EnumerateFileSystemEntries(gateway.Inbox).Any(), "the refused export gone from the inbox", Long);
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(gateway.Data, "downloads")));

            // SWUpdate's own checks passed and the copy is done; the post-install script got the agent's refusal, so SWUpdate's
            // install failed and suricatta — the same process, no restart, no -c — reports closed/failure by itself.
            var device = await CountedAsync(gateway, suricatta);
            var installLog = suricatta.Log;
            output.WriteLine("swupdate (the install, from the download on):\n" + InstallPart(installLog));
            Assert.True(device.State == DeviceRolloutState.Failed, $"{device.State} {device.Reason}\n{installLog}");
            WroteAtomically(installLog, gateway.Inbox);
            Assert.Contains("atym: install refused: " + ReasonCodes.WrongDevice, installLog, StringComparison.Ordinal);
            Assert.DoesNotContain("SWUPDATE successful", installLog, StringComparison.Ordinal);
            var target = await gateway.Host.Client.GetFromJsonAsync<JsonElement>($"api/v1/ddi/targets/{gateway.DeviceId}");
            var action = target.GetProperty("actions")[0];
            output.WriteLine("the action's feedback, newest first:\n" + action.GetProperty("messages"));
            Assert.Equal(("closed", "failure"), (action.GetProperty("state").GetString(), action.GetProperty("outcome").GetString()));
            Assert.StartsWith("closed/failure", action.GetProperty("messages")[0].GetString(), StringComparison.Ordinal);
            // What SWUpdate itself sends: its closed/failure details, and the agent's reason among the log lines it reports.
            foreach (var body in gateway.Feedback) output.WriteLine("feedback: " + body);
            // SWUpdate 2022.12: the closed/failure details are its generic text; the agent's reason travels in the proceeding
            // feedback's details (its install log lines), before the script's exit code and "Installation failed !".
            var closed = Assert.Single(gateway.Feedback, b => b.Contains("\"execution\": \"closed\"", StringComparison.Ordinal));
            Assert.Contains("\"finished\": \"failure\"", closed, StringComparison.Ordinal);
            Assert.Contains(gateway.Feedback, b => b.Contains("\"execution\": \"proceeding\"", StringComparison.Ordinal)
                && b.Contains("ERROR : atym: install refused: " + ReasonCodes.WrongDevice, StringComparison.Ordinal)
                && b.Contains("Installation failed !", StringComparison.Ordinal));
        }
        finally
        {
            Print(suricatta, agent);
            if (suricatta is not null) await suricatta.DisposeAsync();
            if (agent is not null) await agent.DisposeAsync();
        }
    }
}
