using AtymSecure.Cli.Up;
using AtymSecure.OtaStore;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Up;

/// <summary>
/// <see cref="DemoOperator"/>'s calls for the story against the real OTA host on loopback: the deployment a resumed
/// demo finds for a version (the newest, never a rollback; none for a version never deployed) and the enrolled devices
/// it counts (active ones of the demo's group only).
/// </summary>
public sealed class DemoOperatorTests : IAsyncLifetime
{
    private readonly DemoHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private async Task<string> DeployAsync(DemoStage stage) =>
        (await _host.Operator.DeployAsync(stage.Request, default)).GetProperty("id").GetString()!;

    [Fact]
    public async Task The_deployment_found_for_a_version_is_its_newest_and_never_a_rollback()
    {
        using var fleet = new CancellationTokenSource();
        var devices = _host.RespondAsync((_, _) => false, fleet.Token);
        var older = await DeployAsync(DemoPlan.AllAtOnce("1.0.0", _host.V1.Id));
        _host.Clock.Advance(TimeSpan.FromSeconds(1));
        var newer = await DeployAsync(DemoPlan.AllAtOnce("1.0.0", _host.V1.Id));
        await Wait.UntilAsync(() => _host.Rollouts.Find(newer)!.Devices.All(d => d.State == DeviceRolloutState.Succeeded), "every device on 1.0.0");
        _host.Clock.Advance(TimeSpan.FromSeconds(1));
        var good = await DeployAsync(DemoPlan.AllAtOnce("1.1.0", _host.V2.Id));
        await Wait.UntilAsync(() => _host.Rollouts.Find(good)!.Devices.All(d => d.State == DeviceRolloutState.Succeeded), "every device on 1.1.0");
        _host.Clock.Advance(TimeSpan.FromSeconds(1));
        // Rolling 1.1.0 back is a deployment of 1.0.0 too, made after both: not the story's.
        var rollback = (await _host.Api.SendAsync(HttpMethod.Post, $"api/v1/deployments/{good}/rollback", null, default)).GetProperty("id").GetString()!;
        await fleet.CancelAsync();
        await devices;
        Assert.Equal("1.0.0", _host.Rollouts.Find(rollback)!.Spec.Version);

        Assert.NotEqual(older, newer);
        Assert.Equal(newer, (await _host.Operator.FindDeploymentAsync(DemoPlan.Container, "1.0.0", default))?.GetProperty("id").GetString());
        Assert.Equal(good, (await _host.Operator.FindDeploymentAsync(DemoPlan.Container, "1.1.0", default))?.GetProperty("id").GetString());
        Assert.Null(await _host.Operator.FindDeploymentAsync(DemoPlan.Container, "1.2.0", default));
        Assert.Null(await _host.Operator.FindDeploymentAsync("another-container", "1.0.0", default));
    }

    [Fact]
    public async Task Enrolled_devices_are_the_active_ones_of_the_demos_group()
    {
        var store = _host.Service<IDeviceStore>();
        Assert.True(store.TryAdd(DemoHost.Device("pending-one", DeviceState.Pending, DemoPlan.Group, DateTimeOffset.UnixEpoch)));
        Assert.True(store.TryAdd(DemoHost.Device("elsewhere", DeviceState.Active, "another-group", DateTimeOffset.UnixEpoch)));

        Assert.Equal(DemoHost.DeviceCount, await _host.Operator.EnrolledAsync(default));
    }
}
