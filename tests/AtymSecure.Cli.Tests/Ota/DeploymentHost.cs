using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaReleases;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport.Ota;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>
/// The <see cref="SeededOtaHost"/> on a loopback port (for <c>atym</c> processes), on 2026-12-03 10:00Z, with releases 1.0.0
/// and 1.1.0 of sensor-filter and 8 active devices in groups eu/us (d00…d07, d00 tagged site=berlin) that run 1.0.0.
/// </summary>
public sealed class DeploymentHost : IAsyncLifetime
{
    public const int DeviceCount = 8;

    private SeededOtaHost? _host;

    public FakeTimeProvider Clock => _host!.Clock;

    public string Url => _host!.Url;

    public string AdminToken => _host!.AdminToken;

    public Release V1 => _host!.V1;

    public Release V2 => _host!.V2;

    public RolloutService Rollouts => _host!.Service<RolloutService>();

    public string[] Server(params string[] args) => [.. args, "--server", Url, "--token", AdminToken];

    public async Task InitializeAsync()
    {
        _host = await SeededOtaHost.StartAsync(new SeededOtaHostOptions
        {
            Loopback = true,
            Now = new DateTimeOffset(2026, 12, 3, 10, 0, 0, TimeSpan.Zero),
            Devices = DeviceCount,
            V2Version = "1.1.0",
            V2Counter = 1,
            Device = (i, at) => new DeviceRecord(Device(i), "pk", "fp", "linux-x86_64", "host", [], "0.1.0", DeviceState.Active, 1, [SeededOtaHost.GroupOf(i)],
                i == 0 ? new EquatableMap<string>(new Dictionary<string, string> { ["site"] = "berlin" }) : EquatableMap<string>.Empty, at, at, 1),
        });
        for (var i = 0; i < DeviceCount; i++) await ReportAsync(Device(i), confirmed: "1.0.0");
    }

    public static string Device(int i) => SeededOtaHost.DeviceId(i);

    /// <inheritdoc cref="SeededOtaHost.ReportAsync"/>
    public Task ReportAsync(string device, string confirmed, string? trial = null, TrialReport? lastTrial = null) =>
        _host!.ReportAsync(device, confirmed, trial, lastTrial);

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
    }
}
