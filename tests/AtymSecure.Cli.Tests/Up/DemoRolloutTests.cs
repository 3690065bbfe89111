using System.Collections.Concurrent;
using AtymSecure.Cli.Up;
using AtymSecure.OtaStore;

namespace AtymSecure.Cli.Tests.Up;

/// <summary>
/// <see cref="DemoRollout"/>, the story of <c>atym up</c>, against the real OTA host on loopback with the fleet played from
/// the server's side (<see cref="DemoHost.RespondAsync"/>): it waits for the group to enrol, creates one deployment per
/// stage and follows each to its end; the bad version halts at its canaries and nobody else is offered it; a second run
/// creates no deployment and ends the same; a good version that halts ends the story there; a fleet that does not enrol
/// is given up on, saying how many did.
/// </summary>
public sealed class DemoRolloutTests : IAsyncLifetime
{
    private readonly DemoHost _host = new();
    private readonly ConcurrentQueue<string> _said = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private DemoRollout Demo() => new(_host.Operator, new DeploymentWatcher(_host.Api, _said.Enqueue) { Every = TimeSpan.FromMilliseconds(20) }, _said.Enqueue)
    {
        EnrolmentPoll = TimeSpan.FromMilliseconds(20),
    };

    private string Said => string.Join('\n', _said);

    /// <summary>1.0.0 to all at once, then 1.1.0 — the bad one here — to 2 canaries first.</summary>
    private DemoStage[] Story => [DemoPlan.AllAtOnce("1.0.0", _host.V1.Id), DemoPlan.CanaryFirst("1.1.0", _host.V2.Id)];

    [Fact]
    public async Task The_story_deploys_each_stage_to_its_end_the_bad_one_halts_at_its_canaries_and_a_second_run_creates_no_deployment()
    {
        using var fleet = new CancellationTokenSource();
        var devices = _host.RespondAsync((version, _) => version == "1.1.0", fleet.Token);

        Assert.True(await Demo().RunAsync(DemoHost.DeviceCount, Story, default), Said);

        // Both made at the same instant of the fake clock: in version order.
        var deployments = _host.Rollouts.List().OrderBy(d => d.Spec.Version, StringComparer.Ordinal).ToList();
        Assert.Equal(["1.0.0", "1.1.0"], deployments.Select(d => d.Spec.Version));
        var (good, bad) = (deployments[0], deployments[1]);
        Assert.All(good.Devices, d => Assert.Equal(DeviceRolloutState.Succeeded, d.State));
        Assert.Equal(DeploymentStatus.Halted, bad.Status);
        var offered = bad.Devices.Where(d => d.Attempts > 0).ToList();
        Assert.All(offered, d => Assert.Equal(0, d.Wave)); // the canaries, and only they
        Assert.All(bad.Devices.Where(d => d.Wave > 0), d => Assert.Equal((DeviceRolloutState.Pending, 0), (d.State, d.Attempts)));
        var lines = _said.ToList();
        Assert.Equal($"{DemoHost.DeviceCount} devices enrolled", lines[0]);
        Assert.Contains($"1.0.0: deployment {good.Id} created ({_host.V1.Id}): to every device at once", lines);
        Assert.Contains($"1.0.0 completed: {DemoHost.DeviceCount} confirmed, 0 failed of {DemoHost.DeviceCount} device(s) (continuous: devices joining the target set later get it too)", lines);
        Assert.Contains($"1.1.0: deployment {bad.Id} created ({_host.V2.Id}): 2 canaries first, halting at the first failure", lines);
        Assert.Contains(lines, l => l.StartsWith("1.1.0 HALTED at canary on ", StringComparison.Ordinal));
        Assert.Equal($"demo done: 1.1.0 was offered to {offered.Count} canary device(s) only, never to the other {DemoHost.DeviceCount - offered.Count}; Ctrl+C stops", lines[^1]);

        // Resumed: the same deployments are found and told as they ended; none is created, nothing more is offered.
        _said.Clear();
        Assert.True(await Demo().RunAsync(DemoHost.DeviceCount, Story, default), Said);
        await fleet.CancelAsync();
        await devices;
        Assert.Equal(deployments.Select(d => (d.Id, d.Revision)), _host.Rollouts.List().OrderBy(d => d.Spec.Version, StringComparer.Ordinal).Select(d => (d.Id, d.Revision)));
        lines = [.. _said];
        Assert.Contains($"1.0.0: deployment {good.Id} exists (running): watching it, creating none", lines);
        Assert.Contains($"1.1.0: deployment {bad.Id} exists (halted): watching it, creating none", lines);
        Assert.DoesNotContain(lines, l => l.Contains("created", StringComparison.Ordinal));
        Assert.StartsWith("demo done: 1.1.0 was offered to", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_version_that_halts_ends_the_story_there()
    {
        using var fleet = new CancellationTokenSource();
        var devices = _host.RespondAsync((version, _) => version == "1.0.0", fleet.Token);

        Assert.False(await Demo().RunAsync(DemoHost.DeviceCount, Story, default), Said);
        await fleet.CancelAsync();
        await devices;

        Assert.Equal(["1.0.0"], _host.Rollouts.List().Select(d => d.Spec.Version));
        Assert.Equal("the demo stops here: 1.0.0 halted, not completed", _said.Last());
    }

    [Fact]
    public async Task A_fleet_that_does_not_enrol_is_given_up_on_saying_how_many_did()
    {
        var late = new DemoRollout(_host.Operator, new DeploymentWatcher(_host.Api, _said.Enqueue), _said.Enqueue)
        {
            EnrolmentTimeout = TimeSpan.FromMilliseconds(200),
            EnrolmentPoll = TimeSpan.FromMilliseconds(20),
        };

        Assert.False(await late.RunAsync(DemoHost.DeviceCount + 1, Story, default));

        Assert.Empty(_host.Rollouts.List());
        Assert.StartsWith($"gave up after 0.2s waiting for {DemoHost.DeviceCount + 1} devices to enrol in group {DemoPlan.Group}: {DemoHost.DeviceCount} did", _said.Single(), StringComparison.Ordinal);
    }
}
