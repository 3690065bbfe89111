using System.Text.Json;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// <c>atym ota deployment approve|pause|resume|cancel|rollback ID</c> against the real OTA host on loopback: each moves
/// the deployment on the server and prints its new state; a refused action prints the server's reason with exit 1.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeploymentVerbsTests : IAsyncLifetime
{
    private readonly DeploymentHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private async Task<string> DeployAsync(params string[] knobs)
    {
        var run = await CliRunner.RunAsync(_host.Server(["ota", "deploy", _host.V2.Id, "--group", "eu", "--group", "us", "--canary", "2", "--waves", "50%,100%", .. knobs]));
        Assert.True(run.ExitCode == 0, run.StdErr);
        return run.StdOut.Trim();
    }

    private async Task<CliRunner.Result> OkAsync(params string[] args)
    {
        var run = await CliRunner.RunAsync(_host.Server(args));
        Assert.True(run.ExitCode == 0, $"atym {string.Join(' ', args)}: {run.StdErr}");
        return run;
    }

    [Fact]
    public async Task Pause_resume_and_cancel_move_the_deployment_and_print_its_state()
    {
        var id = await DeployAsync();
        var paused = await OkAsync("ota", "deployment", "pause", id);
        Assert.Equal($"deployment {id} of sensor-filter 1.1.0 ({_host.V2.Id}): paused at canary (1 of 3)", paused.StdOut.Trim());
        Assert.Equal(OtaStore.DeploymentStatus.Paused, _host.Rollouts.Find(id)!.Status);

        var again = await CliRunner.RunAsync(_host.Server("ota", "deployment", "pause", id));
        Assert.Equal(1, again.ExitCode);
        Assert.StartsWith("atym ota: conflict: ", again.StdErr, StringComparison.Ordinal);
        Assert.Contains("(409 deployment-state-conflict", again.StdErr, StringComparison.Ordinal);

        var resumed = JsonDocument.Parse((await OkAsync("ota", "deployment", "resume", id, "--json")).StdOut).RootElement;
        Assert.Equal((id, "running"), (resumed.GetProperty("id").GetString(), resumed.GetProperty("status").GetString()));

        Assert.Contains(": cancelled at canary", (await OkAsync("ota", "deployment", "cancel", id)).StdOut, StringComparison.Ordinal);
        Assert.Equal(OtaStore.DeploymentStatus.Cancelled, _host.Rollouts.Find(id)!.Status);
        Assert.Empty(_host.Rollouts.OffersFor(DeploymentHost.Device(0)));
    }

    [Fact]
    public async Task Approve_starts_a_deployment_that_waits_for_it_and_is_refused_for_one_that_does_not()
    {
        var waiting = await DeployAsync("--require-approval");
        Assert.Equal(OtaStore.DeploymentStatus.AwaitingApproval, _host.Rollouts.Find(waiting)!.Status);
        // The creator may not approve its own deployment: a second operator's token does.
        var self = await CliRunner.RunAsync(_host.Server("ota", "deployment", "approve", waiting));
        Assert.Equal(1, self.ExitCode);
        Assert.Contains("(409 approval-by-same-operator", self.StdErr, StringComparison.Ordinal);
        var second = (await OkAsync("ota", "token", "create", "--role", "deployer", "--label", "second operator")).StdOut.Trim();
        var approved = await CliRunner.RunAsync("ota", "deployment", "approve", waiting, "--server", _host.Url, "--token", second);
        Assert.True(approved.ExitCode == 0, approved.StdErr);
        Assert.Contains(": running at canary", approved.StdOut, StringComparison.Ordinal);

        var plain = await DeployAsync();
        var refused = await CliRunner.RunAsync(_host.Server("ota", "deployment", "approve", plain));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("(409 approval-not-required", refused.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_creates_a_deployment_back_to_the_previous_release_for_the_devices_that_took_it()
    {
        var id = await DeployAsync();
        var nothing = await CliRunner.RunAsync(_host.Server("ota", "deployment", "rollback", id));
        Assert.Equal(1, nothing.ExitCode);
        Assert.Contains("nothing-to-roll-back", nothing.StdErr, StringComparison.Ordinal);

        var canary = _host.Rollouts.Find(id)!.Devices.First(d => d.Wave == 0).DeviceId;
        await _host.ReportAsync(canary, confirmed: "1.1.0");
        var run = await OkAsync("ota", "deployment", "rollback", id, "--release", _host.V1.Id);
        var rollback = run.StdOut.Trim();
        Assert.Matches("^dep-[0-9a-f]{16}$", rollback);
        Assert.Contains($"deployment {rollback} of sensor-filter 1.0.0 ({_host.V1.Id})", run.StdErr, StringComparison.Ordinal);
        var state = _host.Rollouts.Find(rollback)!;
        Assert.Equal(id, state.Spec.RollbackOf);
        Assert.Equal([canary], state.Devices.Where(d => d.Wave >= 0).Select(d => d.DeviceId));
        Assert.Equal(rollback, _host.Rollouts.Find(id)!.RolledBackBy);
    }

    [Fact]
    public async Task An_unknown_deployment_is_refused_with_the_servers_reason()
    {
        foreach (var verb in new[] { "pause", "resume", "cancel", "approve", "rollback" })
        {
            var run = await CliRunner.RunAsync(_host.Server("ota", "deployment", verb, "dep-0000000000000000"));
            Assert.Equal(1, run.ExitCode);
            Assert.StartsWith("atym ota: not found: no deployment 'dep-0000000000000000' (404 deployment-not-found", run.StdErr, StringComparison.Ordinal);
        }
    }
}
