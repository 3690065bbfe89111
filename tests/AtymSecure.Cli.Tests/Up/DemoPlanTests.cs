using AtymSecure.Cli.Up;
using AtymSecure.OtaStore;

namespace AtymSecure.Cli.Tests.Up;

/// <summary>
/// <see cref="DemoPlan"/>'s deployments as the real OTA host takes them (through <c>POST /api/v1/deployments</c>, so the
/// server's own grammar checks them): the plans the story promises, continuous targeting of the demo's group (a device
/// enrolled later joins the running rollout), and the story's order.
/// </summary>
public sealed class DemoPlanTests : IAsyncLifetime
{
    private readonly DemoHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private async Task<DeploymentSpec> CreatedAsync(DemoStage stage)
    {
        var id = (await _host.Operator.DeployAsync(stage.Request, default)).GetProperty("id").GetString()!;
        return _host.Rollouts.Find(id)!.Spec;
    }

    [Fact]
    public async Task Each_stage_becomes_the_server_plan_it_describes()
    {
        var all = await CreatedAsync(DemoPlan.AllAtOnce("1.0.0", _host.V1.Id));
        Assert.Equal((0, 1, TimeSpan.Zero), (all.Plan.Canary, all.Plan.Waves.Count, all.Plan.Soak));
        Assert.Equal(new WaveStep(null, 100), all.Plan.Waves[0]);

        var waves = await CreatedAsync(DemoPlan.InWaves("1.1.0", _host.V2.Id));
        Assert.Equal((2, TimeSpan.FromSeconds(5)), (waves.Plan.Canary, waves.Plan.Soak));
        Assert.Equal([new WaveStep(null, 50), new WaveStep(null, 100)], waves.Plan.Waves);

        var canary = await CreatedAsync(DemoPlan.CanaryFirst("1.1.0", _host.V2.Id));
        Assert.Equal(2, canary.Plan.Canary);
        Assert.True(DemoPlan.CanaryFirst("1.1.0", _host.V2.Id).ExpectedToHalt);

        foreach (var spec in new[] { all, waves, canary })
        {
            Assert.Equal(new HaltRule(1, null, 0), spec.Halt);
            Assert.Equal(TimeSpan.FromMinutes(10), spec.DeviceTimeout);
            Assert.Equal(TargetingMode.Continuous, spec.Targeting);
            Assert.Equal([DemoPlan.Group], spec.Target.Groups);
            Assert.Empty(spec.Target.Devices);
        }
    }

    [Fact]
    public async Task A_device_enrolled_in_the_group_after_the_deployment_joins_it()
    {
        var spec = await CreatedAsync(DemoPlan.AllAtOnce("1.0.0", _host.V1.Id));
        Assert.True(_host.Service<IDeviceStore>().TryAdd(DemoHost.Device("late-one", DeviceState.Active, DemoPlan.Group, _host.Clock.GetUtcNow())));

        await _host.Rollouts.TickAsync(default);

        var joined = _host.Rollouts.Find(spec.Id)!.Device("late-one");
        Assert.Equal((0, DeviceRolloutState.Offered), (joined?.Wave, joined?.State));
    }

    [Fact]
    public void The_story_is_all_at_once_then_waves_then_the_canaries_of_the_bad_version()
    {
        var story = DemoPlan.Story([("1.0.0", "rel-0000000000000001"), ("1.1.0", "rel-0000000000000002"), ("1.2.0", "rel-0000000000000003")]);
        Assert.Equal([("1.0.0", "rel-0000000000000001", false), ("1.1.0", "rel-0000000000000002", false), ("1.2.0", "rel-0000000000000003", true)],
            story.Select(s => (s.Version, s.Request.ReleaseId, s.ExpectedToHalt)));
        Assert.Equal([null, 2, 2], story.Select(s => s.Request.Canary));
        Assert.Throws<ArgumentException>(() => DemoPlan.Story([("1.0.0", "rel-0000000000000001")]));
    }
}
