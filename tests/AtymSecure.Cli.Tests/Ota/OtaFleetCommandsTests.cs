using System.Net.Http.Headers;
using System.Text.Json;
using AtymSecure.Formats.DeviceProtocol;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// <c>atym ota status [DEPLOYMENT]</c> against the real OTA host on loopback, as devices report: one deployment's per-wave
/// table (pending / downloading / trial / confirmed / failed), its halt with the failed devices and their probe reasons,
/// the timeline; the list of deployments with the fleet; <c>--json</c> exactly as the API answers.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class OtaFleetCommandsTests : IAsyncLifetime
{
    private readonly DeploymentHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    private async Task<string> OkAsync(params string[] args)
    {
        var run = await CliRunner.RunAsync(_host.Server(args));
        Assert.True(run.ExitCode == 0, $"atym {string.Join(' ', args)}: {run.StdErr}");
        return run.StdOut;
    }

    /// <summary>The table row of <paramref name="wave"/>: its cells after the name, as printed.</summary>
    private static string[] Row(string table, string wave) =>
        table.Split('\n').Select(l => l.Split('│', StringSplitOptions.TrimEntries)).First(c => c.Length > 2 && c[1] == wave)[2..^1];

    [Fact]
    public async Task Status_of_a_deployment_shows_each_waves_counts_then_the_halt_with_reasons_and_the_timeline()
    {
        var id = (await OkAsync("ota", "deploy", _host.V2.Id, "--group", "eu", "--group", "us", "--canary", "2", "--waves", "50%,100%", "--soak", "30s")).Trim();
        var canaries = _host.Rollouts.Find(id)!.Devices.Where(d => d.Wave == 0).Select(d => d.DeviceId).ToList();
        var before = await OkAsync("ota", "status", id);
        Assert.Contains($"deployment {id} of sensor-filter 1.1.0 ({_host.V2.Id}): running at canary (1 of 3)", before, StringComparison.Ordinal);
        //                      devices pending downloading trial confirmed failed
        Assert.Equal(["2", "0", "2", "0", "0", "0"], Row(before, "canary"));
        Assert.Equal(["3", "3", "0", "0", "0", "0"], Row(before, "wave 1")); // 50% of the 6 after the canaries
        Assert.Equal(["3", "3", "0", "0", "0", "0"], Row(before, "wave 2"));

        await _host.ReportAsync(canaries[0], confirmed: "1.0.0", trial: "1.1.0");
        await _host.ReportAsync(canaries[1], confirmed: "1.1.0");
        Assert.Equal(["2", "0", "0", "1", "1", "0"], Row(await OkAsync("ota", "status", id), "canary"));

        await _host.ReportAsync(canaries[0], confirmed: "1.0.0", lastTrial: new TrialReport(TrialReport.Failed, "1.1.0", "health probe failed: stuck at 0"));
        var halted = await OkAsync("ota", "status", id);
        Assert.True(halted.Contains(": halted at canary (1 of 3)", StringComparison.Ordinal), halted);
        Assert.Equal(["2", "0", "0", "0", "1", "1"], Row(halted, "canary"));
        Assert.Matches(@"HALTED at canary on 2026-12-03 10:00:00Z: .+ \(trial-failed 1\)", halted);
        Assert.Contains($"  {canaries[0]}: trial-failed: health probe failed: stuck at 0", halted, StringComparison.Ordinal);
        Assert.Contains("timeline:", halted, StringComparison.Ordinal);
        Assert.Matches(@"  2026-12-03 10:00:00Z  created: ", halted);
        Assert.Matches(@"  2026-12-03 10:00:00Z  halted: ", halted);

        // --json is the API's answer, unchanged.
        using var http = new HttpClient { BaseAddress = new Uri(_host.Url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _host.AdminToken);
        var api = await http.GetStringAsync(new Uri($"/api/v1/deployments/{id}", UriKind.Relative));
        Assert.Equal(api, (await OkAsync("ota", "status", id, "--json")).Trim());
    }

    [Fact]
    public async Task Status_without_an_id_lists_the_deployments_with_the_fleet_and_json_carries_both_api_answers()
    {
        // d00 and d01 already run 1.0.0: that deployment completes at once, offering nothing.
        var first = (await OkAsync("ota", "deploy", _host.V1.Id, "--device", "d00", "d01")).Trim();
        _host.Clock.Advance(TimeSpan.FromSeconds(1)); // the list is in creation order
        var second = (await OkAsync("ota", "deploy", _host.V2.Id, "--group", "us", "--require-approval")).Trim();
        var text = await OkAsync("ota", "status");
        Assert.Contains("active", text, StringComparison.Ordinal); // the fleet's devices by state
        Assert.Contains($"deployment {first} of sensor-filter 1.0.0 ({_host.V1.Id}): completed at wave 0 (1 of 1): 0 confirmed, 0 failed of 0 device(s)", text, StringComparison.Ordinal);
        Assert.Contains($"deployment {second} of sensor-filter 1.1.0 ({_host.V2.Id}): awaiting-approval at wave 0 (1 of 1): 0 confirmed, 0 failed of 4 device(s)", text, StringComparison.Ordinal);
        Assert.Contains("2 deployment(s)", text, StringComparison.Ordinal);

        var json = JsonDocument.Parse(await OkAsync("ota", "status", "--json")).RootElement;
        Assert.Equal(DeploymentHost.DeviceCount, json.GetProperty("fleet").GetProperty("devices").GetProperty("active").GetInt64());
        Assert.Equal([first, second], json.GetProperty("deployments").GetProperty("deployments").EnumerateArray().Select(d => d.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Status_of_an_unknown_deployment_is_the_servers_refusal()
    {
        var run = await CliRunner.RunAsync(_host.Server("ota", "status", "dep-0000000000000000"));
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("atym ota: not found: no deployment 'dep-0000000000000000' (404 deployment-not-found at id)", run.StdErr.Trim());
    }
}
