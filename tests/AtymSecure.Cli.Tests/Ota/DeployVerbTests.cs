using System.Text.Json;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// <c>atym ota deploy</c> against the real OTA host on loopback (<see cref="DeploymentHost"/>): every flag lands in its
/// field of the created deployment, the id is the only line on stdout, bad flags are refused naming the flag before any
/// request, and the server's refusals print as <c>atym ota: TITLE: DETAIL</c> with exit 1.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class DeployVerbTests : IAsyncLifetime
{
    private readonly DeploymentHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Every_flag_is_mapped_to_its_field_of_the_deployment()
    {
        var run = await CliRunner.RunAsync(_host.Server("ota", "deploy", _host.V2.Id, "--group", "eu", "--tag", "site=berlin", "--class", "linux-x86_64",
            "--device", "d01", "d03", "--targeting", "continuous", "--canary", "1", "--waves", "25%,3,100%", "--soak", "30s", "--halt-failures", "2",
            "--halt-ratio", "20%", "--halt-min-finished", "5", "--device-timeout", "10m", "--retries", "3", "--retry-backoff", "1m", "--rollback-on-halt",
            "--forced", "--require-approval", "--via", _host.V1.Id, "--max-downloads", "4", "--start", "2026-12-04T02:00", "--end", "2026-12-05T02:00:00Z",
            "--time-zone", "Europe/Berlin", "--window", "group=eu;start=02:00;duration=2h;days=mon,tue;zone=Europe/Berlin", "--json"));
        Assert.True(run.ExitCode == 0, run.StdErr);
        var d = JsonDocument.Parse(run.StdOut).RootElement;
        Assert.Equal((_host.V2.Id, "awaiting-approval"), (d.GetProperty("releaseId").GetString(), d.GetProperty("status").GetString()));
        var spec = d.GetProperty("spec");
        var target = spec.GetProperty("target");
        Assert.Equal(["eu"], Strings(target.GetProperty("groups")));
        Assert.Equal("berlin", target.GetProperty("tags").GetProperty("site").GetString());
        Assert.Equal("linux-x86_64", target.GetProperty("deviceClass").GetString());
        Assert.Equal(["d01", "d03"], Strings(target.GetProperty("devices")));
        Assert.Equal("continuous", spec.GetProperty("targeting").GetString());
        var plan = spec.GetProperty("plan");
        Assert.Equal(1, plan.GetProperty("canary").GetInt32());
        Assert.Equal(["25%", "3", "100%"], plan.GetProperty("waves").EnumerateArray()
            .Select(w => w.TryGetProperty("count", out var c) ? c.GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{w.GetProperty("percent").GetDouble()}%"));
        Assert.Equal(TimeSpan.FromSeconds(30), TimeSpan.Parse(plan.GetProperty("soak").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        var halt = spec.GetProperty("halt");
        Assert.Equal((2, 0.2, 5), (halt.GetProperty("maxFailures").GetInt32(), halt.GetProperty("maxFailureRatio").GetDouble(), halt.GetProperty("minFinished").GetInt32()));
        Assert.Equal("00:10:00", spec.GetProperty("deviceTimeout").GetString());
        Assert.Equal((3, "00:01:00"), (spec.GetProperty("retry").GetProperty("maxRetries").GetInt32(), spec.GetProperty("retry").GetProperty("initialBackoff").GetString()));
        Assert.True(spec.GetProperty("rollbackOnHalt").GetBoolean());
        Assert.True(spec.GetProperty("forced").GetBoolean());
        Assert.True(spec.GetProperty("requiresApproval").GetBoolean());
        Assert.Equal(_host.V1.Id, spec.GetProperty("via")[0].GetProperty("releaseId").GetString());
        Assert.Equal(4, spec.GetProperty("maxConcurrentDownloads").GetInt32());
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 1, 0, 0, TimeSpan.Zero), spec.GetProperty("startAt").GetDateTimeOffset()); // 02:00 in Berlin
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 2, 0, 0, TimeSpan.Zero), spec.GetProperty("endAt").GetDateTimeOffset());
        Assert.Equal("Europe/Berlin", spec.GetProperty("timeZone").GetString());
        var window = spec.GetProperty("windows")[0];
        Assert.Equal(("eu", "Europe/Berlin", "02:00:00", "02:00:00"), (window.GetProperty("group").GetString(), window.GetProperty("timeZone").GetString(),
            window.GetProperty("start").GetString(), window.GetProperty("length").GetString()));
        Assert.Equal(2, window.GetProperty("days").GetArrayLength());
        // Explicit devices, and the group eu filtered by tag and class: d00 (eu, site=berlin), d01 and d03.
        Assert.Equal(["d00", "d01", "d03"], d.GetProperty("devices").EnumerateArray().Select(x => x.GetProperty("deviceId").GetString()!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Without_json_the_id_is_the_only_line_on_stdout_and_the_defaults_are_the_servers()
    {
        var run = await CliRunner.RunAsync(_host.Server("ota", "deploy", _host.V2.Id, "--group", "eu", "--group", "us", "--canary", "2", "--waves", "50%,100%"));
        Assert.True(run.ExitCode == 0, run.StdErr);
        var id = run.StdOut.Trim();
        Assert.Matches("^dep-[0-9a-f]{16}$", id);
        Assert.Contains($"atym ota: deployment {id} of sensor-filter 1.1.0 ({_host.V2.Id}): running at canary (1 of 3); follow it with atym ota status {id}", run.StdErr, StringComparison.Ordinal);
        var spec = _host.Rollouts.Find(id)!.Spec;
        Assert.Equal((OtaStore.TargetingMode.Snapshot, TimeSpan.Zero, 1, TimeSpan.FromMinutes(30), false, false),
            (spec.Targeting, spec.Plan.Soak, spec.Halt.MaxFailures, spec.DeviceTimeout, spec.RollbackOnHalt, spec.RequiresApproval));
    }

    [Theory]
    [InlineData("--soak", "30", "--soak '30' is not a duration: a number and s, m, h or d (30s, 10m)")]
    [InlineData("--device-timeout", "ten minutes", "--device-timeout 'ten minutes' is not a duration")]
    [InlineData("--retry-backoff", "-1s", "--retry-backoff '-1s' is not a duration")]
    [InlineData("--halt-ratio", "120%", "--halt-ratio '120%' is not a percentage above 0 and at most 100 (20%)")]
    [InlineData("--waves", "10%,half,100%", "--waves: 'half' is not a device count (5) or a percentage (10%)")]
    [InlineData("--tag", "site", "--tag 'site' is not NAME=VALUE")]
    [InlineData("--window", "group=eu;start=02:00", "--window 'group=eu;start=02:00': group=, start= and duration= are required")]
    [InlineData("--window", "group=eu;start=02:00;duration=2h;when=now", "'when=now' is not one of group=, start=, duration=, days=, zone=")]
    [InlineData("--canary", "-1", "--canary: expected 0 to 1000 devices")]
    [InlineData("--halt-failures", "0", "--halt-failures: expected at least 1")]
    [InlineData("--retries", "101", "--retries: expected 0 to 100")]
    [InlineData("--max-downloads", "0", "--max-downloads: expected at least 1")]
    [InlineData("--targeting", "sometimes", "sometimes")]
    public async Task A_bad_flag_is_refused_naming_it_before_any_request(string flag, string value, string message)
    {
        // An unreachable server: a request would fail in other words.
        var run = await CliRunner.RunAsync("ota", "deploy", _host.V2.Id, "--group", "eu", flag, value, "--server", "http://127.0.0.1:9", "--token", "t");
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(message, run.StdErr + run.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("cannot reach", run.StdErr, StringComparison.Ordinal);
        Assert.Empty(_host.Rollouts.List());
    }

    [Fact]
    public async Task A_deploy_without_a_target_is_refused_before_any_request()
    {
        var run = await CliRunner.RunAsync(_host.Server("ota", "deploy", _host.V2.Id, "--canary", "2"));
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("name the devices: --group G, --tag NAME=VALUE, --class C or --device ID", run.StdErr + run.StdOut, StringComparison.Ordinal);
        Assert.Empty(_host.Rollouts.List());
    }

    [Fact]
    public async Task The_servers_refusals_print_as_atym_ota_title_detail_with_exit_1()
    {
        var unknown = await CliRunner.RunAsync(_host.Server("ota", "deploy", "rel-0000000000000000", "--group", "eu"));
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("atym ota: not found: no release 'rel-0000000000000000' (404 release-not-found at $.releaseId)", unknown.StdErr.Trim());
        Assert.Equal("", unknown.StdOut);

        var nobody = await CliRunner.RunAsync(_host.Server("ota", "deploy", _host.V2.Id, "--group", "asia"));
        Assert.Equal(1, nobody.ExitCode);
        Assert.StartsWith("atym ota: unprocessable request: no active device matches the target set (422 deployment-no-targets at $.target)", nobody.StdErr, StringComparison.Ordinal);

        // Several problems at once: the first is the detail, the others follow, one per line.
        var zone = await CliRunner.RunAsync(_host.Server("ota", "deploy", _host.V2.Id, "--group", "eu", "--time-zone", "Mars/Olympus", "--start", "tomorrow"));
        Assert.Equal(1, zone.ExitCode);
        Assert.Contains("atym ota: bad request: unknown time zone 'Mars/Olympus' (an IANA id such as Europe/Berlin) (400 ", zone.StdErr, StringComparison.Ordinal);
        Assert.Contains("  $.start: expected an ISO 8601 date and time (2026-12-03T02:00)", zone.StdErr, StringComparison.Ordinal);
        Assert.Empty(_host.Rollouts.List());
    }

    private static IEnumerable<string> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!);
}
