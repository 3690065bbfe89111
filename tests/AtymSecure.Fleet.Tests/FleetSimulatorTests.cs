using AtymSecure.Bootloader.State;
using AtymSecure.Fleet.Tests.Support;
using AtymSecure.Runtime.Health;
using Xunit.Abstractions;

namespace AtymSecure.Fleet.Tests;

/// <summary>
/// Real device agents in this process against the real OTA server over loopback HTTP (<see cref="FleetWorld"/>): they
/// enrol with the fleet token, verify the director's and image repository's metadata from their provisioned roots,
/// download, install through their bootloader, run the trial in their runtime and confirm — and the faults on request do
/// what they say: power cut mid-download and mid-install recover, a broken sensor fails the trial and reverts, a slow link
/// and an offline spell only delay.
/// </summary>
public sealed class FleetSimulatorTests(FleetWorld world, ITestOutputHelper output) : IClassFixture<FleetWorld>
{
    // A bound, not a speed claim: alone the first test takes ~11 s, but inside the whole suite on 2 cores (Ceph,
    // PostgreSQL, SWUpdate and other test processes beside it) one run of 4 December took over 3 minutes.
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(6);

    [Fact]
    public async Task Eight_devices_of_two_classes_enrol_install_the_assigned_release_and_confirm_it_on_shared_engines()
    {
        await using var fleet = FleetSimulator.Start(world.Fleet(8));
        await Wait.UntilAsync(() => fleet.Devices.All(d => d.Enrolled), "all 8 devices to enrol", Deadline);
        var ids = fleet.Devices.Select(d => d.DeviceId!).ToList();
        Assert.Equal(8, ids.Distinct().Count());

        await world.Operator.DeliverAsync(world.ReleaseV1, ids, default);
        try
        {
            await Wait.UntilAsync(() => fleet.Summary().ConfirmedOf("sensor-filter", "1.0.0") == 8, "all 8 devices to confirm 1.0.0", Deadline);
        }
        catch (TimeoutException e)
        {
            // Where each device got to, and why a trial failed, is what a timeout needs to be read.
            var trials = fleet.Devices.SelectMany(d => (d.Status?.Trials ?? []).Where(t => t.Verdict == TrialVerdict.Failed)
                .Select(t => $"device {d.Index} ({d.Profile}) {t.Container} {t.Version}: {t.Reason}"));
            throw new TimeoutException($"{e.Message}\n{fleet.Summary()}\n{string.Join("\n", trials)}", e);
        }

        var memory = fleet.Memory();
        output.WriteLine(fleet.Summary().ToString());
        output.WriteLine(memory.ToString());
        Assert.True(fleet.AllRunning);
        // Both classes ran, each on one engine for all its devices (same stack limit): 2 engines, not 8.
        Assert.Equal(FleetWorld.Classes.Order(), fleet.Devices.Select(d => d.Status!.DeviceClass).Distinct().Order());
        Assert.Equal(2, memory.Engines);
        Assert.All(fleet.Devices, d => Assert.Equal(0, d.PowerCuts));
    }

    [Fact]
    public async Task Power_cuts_recover_a_broken_sensor_reverts_and_a_slow_or_offline_link_only_delays()
    {
        // One fault per device (the spread shifts by kind): 0 cut mid-download, 1 cut mid-install, 2 slow link, 3 broken
        // sensor, 4 offline for a while. All of this machine's class, so the in-memory parts' fault plans are exercised.
        var faults = new[] { "power-cut-download:1", "power-cut-install:1", "slow-link:1:32KiB", "failing-health:1", "offline:1:4s" }.Select(FleetFault.Parse).ToList();
        await using var fleet = FleetSimulator.Start(world.Fleet(5, faults, [FleetWorld.Classes[0]]));
        await Wait.UntilAsync(() => fleet.Devices.All(d => d.Enrolled), "all 5 devices to enrol (one after its offline spell)", Deadline);
        await world.Operator.DeliverAsync(world.ReleaseV1, fleet.Devices.Select(d => d.DeviceId!), default);

        await Wait.UntilAsync(() => Decided(fleet.Devices), "every device to confirm 1.0.0 or revert it", Deadline);
        foreach (var d in fleet.Devices) output.WriteLine($"device {d.Index} [{d.Faults}]: power cuts {d.PowerCuts}, offline refusals {d.OfflineRefusals}, " +
            $"confirmed {Confirmed(d) ?? "-"}, trials {string.Join("; ", d.Status!.Trials.Select(t => $"{t.Version} {t.Verdict}"))}");
        output.WriteLine(fleet.Summary().ToString());

        var byIndex = fleet.Devices.ToDictionary(d => d.Index);
        Assert.Equal("powercutdownload", byIndex[0].Faults);
        Assert.Equal("powercutinstall", byIndex[1].Faults);
        Assert.Equal("failinghealth", byIndex[3].Faults);
        // Cut mid-download: powered on again, resumed the partial bundle, confirmed.
        Assert.Equal((1, "1.0.0"), (byIndex[0].PowerCuts, Confirmed(byIndex[0])));
        // Cut a few flash operations into the install: the bootloader recovered, the install was repeated, confirmed.
        Assert.Equal((1, "1.0.0"), (byIndex[1].PowerCuts, Confirmed(byIndex[1])));
        Assert.Equal("1.0.0", Confirmed(byIndex[2]));
        // Broken sensor: the health probe failed, the trial reverted; nothing confirmed (it had no earlier version).
        Assert.Null(Confirmed(byIndex[3]));
        Assert.Contains(byIndex[3].Status!.Trials, t => t.Version == "1.0.0" && t.Verdict == TrialVerdict.Failed);
        // Offline for a while: its requests failed, then it enrolled and confirmed like the rest.
        Assert.True(byIndex[4].OfflineRefusals > 0);
        Assert.Equal("1.0.0", Confirmed(byIndex[4]));
        Assert.Equal(1, fleet.Summary().FailedOf("sensor-filter", "1.0.0"));
    }

    [Fact]
    public async Task Outside_the_maintenance_window_devices_download_and_wait_then_install_inside_it()
    {
        await using var fleet = FleetSimulator.Start(world.Fleet(2, profiles: [FleetWorld.Classes[0]]));
        await Wait.UntilAsync(() => fleet.Devices.All(d => d.Enrolled), "both devices to enrol", Deadline);
        var ids = fleet.Devices.Select(d => d.DeviceId!).ToList();
        foreach (var id in ids) await world.Api.SendAsync(HttpMethod.Put, $"api/v1/devices/{id}/groups", new { groups = new[] { "night" } }, default);
        // The group's window opens at the second minute boundary from now (HH:mm in UTC) and lasts ten minutes: the
        // devices are offered at once, download, verify and wait for it on their own clocks.
        var now = DateTimeOffset.UtcNow;
        var opens = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(2);
        var created = await world.Api.SendAsync(HttpMethod.Post, "api/v1/deployments", new
        {
            releaseId = world.ReleaseV1, target = new { groups = new[] { "night" } }, canary = 0, waves = new[] { "100%" }, soak = "0s", deviceTimeout = "5m",
            windows = new[] { new { group = "night", start = opens.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), duration = "10m", timeZone = "UTC" } },
        }, default);
        var deployment = created.GetProperty("id").GetString()!;

        await Wait.UntilAsync(() => fleet.Devices.All(d => d.Status?.AwaitingWindow is [{ } w] && w.OpensAt == opens), "both devices to hold 1.0.0 for the window", Deadline);
        // Holding it at all means the window was still shut on the device clock when the download finished (inside it, it would install).
        Assert.All(fleet.Devices, d => Assert.Empty(d.Status!.Installs));
        await Wait.UntilAsync(async () => (await world.Api.SendAsync(HttpMethod.Get, $"api/v1/deployments/{deployment}", null, default))
            .GetProperty("waves")[0].GetProperty("awaitingWindow").GetInt32() == 2, "the deployment to show both devices waiting", Deadline, TimeSpan.FromMilliseconds(500));

        await Wait.UntilAsync(() => fleet.Summary().ConfirmedOf("sensor-filter", "1.0.0") == 2, "both devices to confirm 1.0.0 inside the window", Deadline + TimeSpan.FromMinutes(3));
        Assert.All(fleet.Devices, d => Assert.True(d.Status!.Installs.Last().At >= opens, $"device {d.Index} installed at {d.Status.Installs.Last().At:O}, the window opened at {opens:O}"));
        Assert.All(fleet.Devices, d => Assert.Null(d.Status!.AwaitingWindow));
    }

    private static bool Decided(IReadOnlyList<SimulatedDeviceView> devices) =>
        devices.All(d => Confirmed(d) == "1.0.0" || d.Status?.Trials.Any(t => t.Version == "1.0.0" && t.Verdict == TrialVerdict.Failed) == true);

    private static string? Confirmed(SimulatedDeviceView device) =>
        device.Status?.Containers.FirstOrDefault(c => c.Name == "sensor-filter") is { } c && c.State is not (ContainerState.Pending or ContainerState.TrialBooted)
            ? c.VersionIn(c.ConfirmedSlot)
            : null;
}
