using System.Collections.Concurrent;
using AtymSecure.Cli.Up;

namespace AtymSecure.Cli.Tests.Up;

/// <summary>
/// <see cref="DeploymentWatcher"/> against the real OTA host on loopback (<see cref="DemoHost"/>): it tells a rollout wave
/// by wave as the server runs it, ends on the server's completion (a continuous deployment's too, which stays running),
/// on its halt with the failed devices and the probe's reason, on a cancel, and gives up past its own bound saying what
/// it waited for.
/// </summary>
public sealed class DeploymentWatcherTests : IAsyncLifetime
{
    private readonly DemoHost _host = new();
    private readonly ConcurrentQueue<string> _said = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private DeploymentWatcher Watcher(TimeSpan? timeout = null) =>
        new(_host.Api, line =>
        {
            _said.Enqueue(line);
            _host.Wake();
        }) { Every = TimeSpan.FromMilliseconds(20), Timeout = timeout ?? TimeSpan.FromMinutes(2) };

    private async Task<string> DeployAsync(DemoStage stage) =>
        (await _host.Operator.DeployAsync(stage.Request, default)).GetProperty("id").GetString()!;

    private string Said => string.Join('\n', _said);

    [Fact]
    public async Task A_rollout_in_waves_is_told_wave_by_wave_with_its_soaks_and_ends_completed_though_continuous_targeting_keeps_it_running()
    {
        var id = await DeployAsync(DemoPlan.InWaves("1.1.0", _host.V2.Id));
        using var fleet = new CancellationTokenSource();
        // Each soak is passed only once the watcher told it (else a 20 ms poll might never see it).
        var devices = _host.RespondAsync((_, _) => false, fleet.Token, s => _said.Count(l => l.Contains(", soaking until ", StringComparison.Ordinal)) > s.Wave);

        var watched = await Watcher().WatchAsync(id, default);
        await fleet.CancelAsync();
        await devices;

        Assert.Equal(DeploymentEnd.Completed, watched.End);
        Assert.Equal("running", watched.View.GetProperty("status").GetString());
        var lines = _said.ToList();
        Assert.StartsWith($"deployment {id} of sensor-filter 1.1.0 ({_host.V2.Id}): running at canary (1 of 3)", lines[0], StringComparison.Ordinal);
        Assert.Contains("1.1.0 canary: 2 device(s): 0 pending, 0 downloading, 0 trial, 2 confirmed, 0 failed", lines);
        Assert.Contains($"deployment {id} of sensor-filter 1.1.0 ({_host.V2.Id}): running at canary (1 of 3), soaking until 2026-12-03 10:00:05Z", lines);
        Assert.Contains($"deployment {id} of sensor-filter 1.1.0 ({_host.V2.Id}): running at wave 1 (2 of 3), soaking until 2026-12-03 10:00:10Z", lines);
        Assert.Contains("1.1.0 wave 1: 1 device(s): 0 pending, 0 downloading, 0 trial, 1 confirmed, 0 failed", lines);
        Assert.Contains("1.1.0 wave 2: 1 device(s): 0 pending, 0 downloading, 0 trial, 1 confirmed, 0 failed", lines);
        // After the last wave nothing waits: no soak is told.
        Assert.Contains($"deployment {id} of sensor-filter 1.1.0 ({_host.V2.Id}): running at wave 2 (3 of 3)", lines);
        Assert.DoesNotContain(lines, l => l.Contains("(3 of 3), soaking", StringComparison.Ordinal));
        // The waves are told in order, and the end last.
        Assert.True(lines.FindIndex(l => l.StartsWith("1.1.0 canary:", StringComparison.Ordinal)) < lines.FindIndex(l => l.StartsWith("1.1.0 wave 1:", StringComparison.Ordinal)), Said);
        Assert.Equal("1.1.0 completed: 4 confirmed, 0 failed of 4 device(s) (continuous: devices joining the target set later get it too)", lines[^1]);
    }

    [Fact]
    public async Task A_halt_is_told_with_its_rule_and_each_failed_device_with_the_probes_reason()
    {
        var id = await DeployAsync(DemoPlan.CanaryFirst("1.1.0", _host.V2.Id));
        using var fleet = new CancellationTokenSource();
        var devices = _host.RespondAsync((version, _) => version == "1.1.0", fleet.Token);

        var watched = await Watcher().WatchAsync(id, default);
        await fleet.CancelAsync();
        await devices;

        Assert.Equal(DeploymentEnd.Halted, watched.End);
        var failed = _host.Rollouts.Find(id)!.Halt!.Devices;
        Assert.NotEmpty(failed);
        var lines = _said.ToList();
        var halt = lines.FindIndex(l => l.StartsWith("1.1.0 HALTED at canary on 2026-12-03 10:00:00Z: ", StringComparison.Ordinal));
        Assert.True(halt >= 0, Said);
        Assert.EndsWith($"failed in canary (halt at 1) (trial-failed {failed.Count})", lines[halt], StringComparison.Ordinal);
        Assert.Equal([.. failed.Select(f => $"  {f.DeviceId}: trial-failed: {DemoHost.ProbeReason}")], lines[(halt + 1)..]);
    }

    [Fact]
    public async Task A_continuous_deployment_is_not_over_while_a_device_of_its_last_wave_is_on_trial()
    {
        var id = await DeployAsync(DemoPlan.AllAtOnce("1.0.0", _host.V1.Id));
        foreach (var d in _host.Rollouts.Find(id)!.Devices.Skip(1)) await _host.ReportConfirmedAsync(d.DeviceId, "1.0.0");
        var first = _host.Rollouts.Find(id)!.Devices[0].DeviceId;
        await _host.ReportOnTrialAsync(first, "1.0.0");
        var onTrial = await _host.Api.SendAsync(HttpMethod.Get, $"api/v1/deployments/{id}", null, default);
        Assert.Null(DeploymentWatcher.EndOf(onTrial));

        await _host.ReportConfirmedAsync(first, "1.0.0");
        var done = await _host.Api.SendAsync(HttpMethod.Get, $"api/v1/deployments/{id}", null, default);
        Assert.Equal(("running", DeploymentEnd.Completed), (done.GetProperty("status").GetString(), DeploymentWatcher.EndOf(done)));
    }

    [Fact]
    public async Task A_deployment_whose_devices_moved_on_to_a_later_one_is_told_completed_with_them_counted_as_taken_over()
    {
        using var fleet = new CancellationTokenSource();
        var devices = _host.RespondAsync((_, _) => false, fleet.Token);
        var first = await DeployAsync(DemoPlan.AllAtOnce("1.0.0", _host.V1.Id));
        Assert.Equal(DeploymentEnd.Completed, (await Watcher().WatchAsync(first, default)).End);
        _host.Clock.Advance(TimeSpan.FromSeconds(1)); // later is later: the server orders deployments by creation time
        var later = await DeployAsync(DemoPlan.AllAtOnce("1.1.0", _host.V2.Id));
        Assert.Equal(DeploymentEnd.Completed, (await Watcher().WatchAsync(later, default)).End);
        await fleet.CancelAsync();
        await devices;
        _said.Clear();

        var again = await Watcher().WatchAsync(first, default);

        Assert.Equal(DeploymentEnd.Completed, again.End);
        Assert.Equal($"1.0.0 completed: 0 confirmed, 0 failed of {DemoHost.DeviceCount} device(s), {DemoHost.DeviceCount} since taken over by a later deployment " +
            "(continuous: devices joining the target set later get it too)", _said.Last());
    }

    [Fact]
    public async Task A_cancelled_deployment_ends_the_watch_as_stopped()
    {
        var id = await DeployAsync(DemoPlan.InWaves("1.1.0", _host.V2.Id));
        await _host.Api.SendAsync(HttpMethod.Post, $"api/v1/deployments/{id}/cancel", null, default);

        var watched = await Watcher().WatchAsync(id, default);

        Assert.Equal(DeploymentEnd.Stopped, watched.End);
        Assert.StartsWith($"1.1.0 stopped: deployment {id} of sensor-filter 1.1.0 ({_host.V2.Id}): cancelled", _said.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Past_its_bound_it_gives_up_saying_which_deployment_it_waited_for_and_where_that_was()
    {
        // Nobody answers the offers: the deployment stays at its canaries.
        var id = await DeployAsync(DemoPlan.CanaryFirst("1.1.0", _host.V2.Id));

        var watched = await Watcher(TimeSpan.FromMilliseconds(200)).WatchAsync(id, default);

        Assert.Equal(DeploymentEnd.GaveUp, watched.End);
        Assert.Equal($"gave up after 0.2s waiting for deployment {id} (1.1.0) to finish its waves or halt; it is deployment {id} of sensor-filter 1.1.0 ({_host.V2.Id}): running at canary (1 of 2)",
            _said.Last());
    }
}
