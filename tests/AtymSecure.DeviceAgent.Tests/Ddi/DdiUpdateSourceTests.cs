using AtymSecure.Bootloader.State;
using AtymSecure.DeviceAgent.Ddi;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats;
using AtymSecure.Runtime.Logging;
using AtymSecure.TestSupport;

namespace AtymSecure.DeviceAgent.Tests.Ddi;

/// <summary>
/// The agent's DDI mode (<c>atym device run --ddi</c>) against hawkBit's documented answers on loopback: it follows
/// deploymentBase, downloads the action's offline export, verifies it on the device like <c>install --metadata</c>
/// (the DDI server is trusted for nothing), sends proceeding/download/downloaded, proceeding once installed and
/// closed once the health trial decided (success when confirmed, failure when reverted or refused), honours
/// <c>config.polling.sleep</c> and <c>cancelAction</c>.
/// </summary>
public sealed class DdiUpdateSourceTests : IAsyncDisposable
{
    private readonly ProductionDevice _device = ProductionDevice.Create();
    private readonly TempFolder _temp = TempFolder.Create("ddi-agent");
    private DdiFixtureServer? _server;

    public async ValueTask DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
        await _device.DisposeAsync();
        _temp.Dispose();
    }

    private DdiFixtureServer Server() => _server ??= new DdiFixtureServer(_device.World.DeviceId);

    /// <summary>Runs the device with a DDI source until <paramref name="until"/> holds; returns the source's last sleep and the final status.</summary>
    private async Task<(TimeSpan Sleep, DeviceStatus Status)> RunUntil(Func<bool> until, string what)
    {
        using var stop = new CancellationTokenSource();
        var options = new DdiAgentOptions(Server().BaseUri, DdiFixtureServer.Tenant, DdiFixtureServer.Token, _device.World.DeviceId) { MinPoll = TimeSpan.FromMilliseconds(200) };
        TimeSpan sleep = default;
        var run = Task.Run(() =>
        {
            using var device = LocalDevice.Open(_device.Data, new LocalDeviceOptions { Clock = _device.Clock });
            using var http = new HttpClient();
            using var source = new DdiUpdateSource(device, new DdiClient(http, options), options, _device.Log);
            source.Start();
            var status = new DeviceRunner(device, source, new DeviceRunOptions { PollInterval = TimeSpan.FromMilliseconds(100) }, _device.Log).Run(stop.Token);
            sleep = source.LastSleep;
            return status;
        });
        try
        {
            await Wait.UntilAsync(() => run.IsCompleted || until(), what, TimeSpan.FromSeconds(60));
        }
        finally
        {
            stop.Cancel();
        }
        var final = await run;
        return (sleep, final);
    }

    private byte[] Export(Func<string, byte[], byte[]>? edit = null, long version = 3) =>
        File.ReadAllBytes(OfflineExports.WriteTar(_device, _temp.File($"export-{Guid.NewGuid():N}.tar"), version, [_device.Release(TestBundles.Image("sensor-filter"))], edit));

    [Fact]
    public async Task Following_hawkbits_documented_answers_it_downloads_verifies_installs_confirms_and_reports_closed_success()
    {
        var server = Server();
        server.Offer(Export());
        var version = _device.ReleaseOf(TestBundles.Image("sensor-filter")).Version;
        // Success is sent only once the device's own status says confirmed (run8: a server read success while status.json
        // still showed the trial).
        bool? confirmedWhenClosed = null;
        server.OnClosed = () => confirmedWhenClosed = DeviceStatus.Load(new DeviceDirectory(_device.Data), out _).HoldsConfirmed("sensor-filter", version);

        var (sleep, status) = await RunUntil(() => server.Closed
            && DeviceStatus.Load(new DeviceDirectory(_device.Data), out _).Containers.Any(c => c.State == ContainerState.Confirmed && c.VersionIn(c.ConfirmedSlot) == version),
            "closed feedback and the exported image confirmed");

        // Installed is "proceeding"; closed/success only once the health trial confirmed it (hawkBit: the device runs it).
        Assert.Equal(["proceeding", "download", "downloaded", "proceeding", "closed:success"], server.Executions("8"));
        Assert.True(confirmedWhenClosed);
        var closedDetail = server.Feedback.Last().Body["status"]!["details"]![0]!.GetValue<string>();
        Assert.StartsWith($"confirmed sensor-filter {version} after its health trial", closedDetail, StringComparison.Ordinal);
        var trial = Assert.Single(status.Trials, t => t.Version == version);
        Assert.Equal(AtymSecure.Runtime.Health.TrialVerdict.Passed, trial.Verdict);
        Assert.Equal(TimeSpan.FromHours(12), sleep); // the docs' config.polling.sleep "12:00:00"
        Assert.Contains(status.Installs, i => i.Result == InstallResult.Installed);
        Assert.All(server.Requests, r => Assert.Equal($"TargetToken {DdiFixtureServer.Token}", r.Header("Authorization")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_device.Data, "downloads")));
    }

    [Fact]
    public async Task An_install_whose_health_trial_fails_is_reverted_and_reported_closed_failure_with_the_trials_reason()
    {
        var server = Server();
        var image = TestBundles.Image("sensor-filter-bad");
        server.Offer(File.ReadAllBytes(OfflineExports.WriteTar(_device, _temp.File("bad.tar"), 3, [_device.Release(image)])));
        var version = _device.ReleaseOf(image).Version;

        var (_, status) = await RunUntil(() => server.Closed, "closed feedback");

        Assert.Equal(["proceeding", "download", "downloaded", "proceeding", "closed:failure"], server.Executions("8"));
        var closed = server.Feedback.Last().Body["status"]!["details"]![0]!.GetValue<string>();
        Assert.StartsWith($"trial-failed: sensor-filter {version} reverted: ", closed, StringComparison.Ordinal);
        var trial = Assert.Single(status.Trials);
        Assert.Equal((version, AtymSecure.Runtime.Health.TrialVerdict.Failed), (trial.Version, trial.Verdict));
        Assert.Contains(trial.Reason, closed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_tampered_export_is_refused_on_the_device_and_reported_closed_failure_with_its_reason()
    {
        var server = Server();
        server.Offer(Export((path, bytes) => path == "director/targets.json" ? FlipSignature(bytes) : bytes));

        var (_, status) = await RunUntil(() => server.Closed, "closed feedback");

        Assert.Equal(["proceeding", "download", "downloaded", "closed:failure"], server.Executions("8"));
        var closed = server.Feedback.Last().Body["status"]!["details"]![0]!.GetValue<string>();
        Assert.Contains(ReasonCodes.ThresholdNotMet, closed);
        Assert.All(status.Containers, c => Assert.All(c.Slots, s => Assert.Null(s.Version)));
    }

    [Fact]
    public async Task Downloaded_bytes_that_do_not_match_the_announced_sha256_are_deleted_and_closed_failure_never_installed()
    {
        var server = Server();
        server.Offer(Export());
        server.DamageDownload = true;

        var (_, status) = await RunUntil(() => server.Closed, "closed feedback");

        Assert.Equal(["proceeding", "download", "closed:failure"], server.Executions("8"));
        var closed = server.Feedback.Last().Body["status"]!["details"]![0]!.GetValue<string>();
        Assert.StartsWith(DdiArtifactRefusedException.Code + ": ", closed, StringComparison.Ordinal);
        Assert.Contains("the server announced", closed, StringComparison.Ordinal);
        Assert.Empty(status.Installs);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_device.Data, "downloads")));
    }

    [Fact]
    public async Task An_artifact_that_is_not_an_offline_export_is_closed_failure_and_never_installed()
    {
        var server = Server();
        server.Offer("#!/bin/sh\nrm -rf /\n"u8.ToArray(), "binary.tgz");

        await RunUntil(() => server.Closed, "closed feedback");

        Assert.Equal(["closed:failure"], server.Executions("8"));
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("/filename/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_cancel_action_for_a_downloaded_update_waiting_for_its_window_drops_it_and_confirms_the_cancel()
    {
        var server = Server();
        server.Offer(Export());
        server.Update = "skip"; // maintenance window closed: download, do not install
        server.Sleep = "00:00:01";
        server.DeploymentId = "11"; // the action the docs' cancel example stops
        var task = RunUntil(() => server.Executions("11").Contains("downloaded") && server.BaseFixture == "controller-base.json" && Switch(server)
            || server.Executions("11", "cancelAction").Count > 0, "the cancel feedback");
        var (_, status) = await task;

        Assert.Equal(["closed:success"], server.Executions("11", "cancelAction"));
        Assert.Equal(["proceeding", "download", "downloaded"], server.Executions("11"));
        Assert.DoesNotContain(server.Executions("11"), e => e.StartsWith("closed", StringComparison.Ordinal));
        Assert.Empty(status.Installs);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_device.Data, "downloads")));
    }

    /// <summary>Once the download is reported, the next polls get the docs' cancel example (cancelAction 11); false, so the wait goes on.</summary>
    private static bool Switch(DdiFixtureServer server)
    {
        server.BaseFixture = "controller-base-cancel.json";
        return false;
    }

    [Fact]
    public void The_polling_sleep_is_clamped_and_a_missing_one_falls_back_to_the_retry_delay()
    {
        var options = new DdiAgentOptions(new Uri("http://127.0.0.1:1"), "DEFAULT", null) { MinPoll = TimeSpan.FromSeconds(2), MaxPoll = TimeSpan.FromHours(1), RetryDelay = TimeSpan.FromSeconds(7) };
        Assert.Equal(TimeSpan.FromSeconds(2), options.PollFor(TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromMinutes(5), options.PollFor(TimeSpan.FromMinutes(5)));
        Assert.Equal(TimeSpan.FromHours(1), options.PollFor(TimeSpan.FromHours(12)));
        Assert.Equal(TimeSpan.FromSeconds(7), options.PollFor(null));
    }

    private static byte[] FlipSignature(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        var at = copy.AsSpan().IndexOf("\"sig\":\""u8) + 7;
        copy[at] = (byte)(copy[at] == (byte)'0' ? '1' : '0');
        return copy;
    }
}
