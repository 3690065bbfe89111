using AtymSecure.DeviceAgent.Tests.Support;
using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.DeviceAgent.Tests.Http;

/// <summary>
/// A production device over real loopback HTTP whose director target carries a signed install window
/// (docs/update-metadata.md §3.1), on the device's test clock (<see cref="DeviceWallClock"/>: hours pass without
/// sleeping): outside the window the bundle is downloaded and verified but nothing is written to flash, status and
/// report say "waiting until T"; a power cut while waiting loses nothing and fetches nothing again; once the window
/// opens on the device clock the held bundle installs and confirms.
/// </summary>
public sealed class InstallWindowTests : IAsyncDisposable
{
    private readonly ProductionDevice _device = ProductionDevice.Create();

    public ValueTask DisposeAsync() => _device.DisposeAsync();

    private int BundleRequests() => _device.Server.Requests.Count(r => r.Path.StartsWith("/bundles/", StringComparison.Ordinal));

    [Fact]
    public async Task Outside_the_window_it_downloads_and_waits_survives_a_power_cut_and_installs_when_the_window_opens()
    {
        var now = DateTimeOffset.UtcNow;
        var opens = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero).AddHours(3);
        var image = TestBundles.Image("sensor-filter");
        _device.Server.Assign(_device.Release(image) with { Window = new InstallWindow([new UtcInterval(opens, opens.AddHours(2))]) });
        var slots = _device.SlotDigests();

        var status = await _device.RunUntil(() => _device.Server.Reports.Any(r => r.Containers.Single().AwaitingWindow is not null), "a report of the wait");

        var wait = Assert.Single(status.AwaitingWindow!);
        Assert.Equal(("sensor-filter", opens), (wait.Container, wait.OpensAt));
        Assert.Contains($"waiting for install window until {opens:u}", wait.ToString(), StringComparison.Ordinal);
        var reported = _device.Server.Reports.Last(r => r.Containers.Single().AwaitingWindow is not null).Containers.Single();
        Assert.Equal(opens.ToUnixTimeSeconds(), reported.AwaitingWindow!.OpensAt);
        Assert.Null(reported.Confirmed);
        Assert.Empty(status.Installs);
        Assert.Single(Directory.EnumerateFiles(Path.Combine(_device.Data, "downloads"), "*.bundle")); // verified and held
        Assert.Equal(slots, _device.SlotDigests()); // nothing written to flash

        // Power cut while waiting: the next power-on verifies fresh metadata, finds the committed file and waits again
        // without fetching a byte.
        var fetched = BundleRequests();
        var before = _device.Server.Reports.Count;
        status = await _device.RunUntil(() => _device.Server.Reports.Skip(before).Any(r => r.Containers.Single().AwaitingWindow is not null), "the wait reported after the power cut");
        Assert.Equal(fetched, BundleRequests());
        Assert.Equal(opens, Assert.Single(status.AwaitingWindow!).OpensAt);
        Assert.Equal(slots, _device.SlotDigests());

        // Three hours later the window is open on the device clock: the held bundle installs, trials and confirms.
        _device.Server.SetClock(_device.World.Clock.Now + TimeSpan.FromHours(3) + TimeSpan.FromMinutes(1));
        _device.Clock.Pass(TimeSpan.FromHours(3) + TimeSpan.FromMinutes(1));
        status = await _device.RunUntil(() => _device.ReportsConfirmed(image), "the image confirmed inside the window");

        Assert.Null(status.AwaitingWindow);
        var install = Assert.Single(status.Installs);
        Assert.True(install.At >= opens, $"installed at {install.At:O}, the window opened at {opens:O}");
        Assert.Equal(fetched, BundleRequests());
        Assert.Null(_device.Server.Reports.Last().Containers.Single().AwaitingWindow);
    }

    [Fact]
    public async Task A_held_bundle_installs_at_once_when_the_director_re_signs_its_target_without_a_window()
    {
        var later = DateTimeOffset.UtcNow.AddDays(2);
        var image = TestBundles.Image("sensor-filter");
        var assignment = _device.Release(image);
        _device.Server.Assign(assignment with { Window = new InstallWindow([new UtcInterval(new(later.Year, later.Month, later.Day, 2, 0, 0, TimeSpan.Zero), new(later.Year, later.Month, later.Day, 4, 0, 0, TimeSpan.Zero))]) });
        await using var run = _device.PowerOn();
        await run.Until(() => _device.Server.Reports.Any(r => r.Containers.Single().AwaitingWindow is not null), "a report of the wait");

        // The operator forces the update: the director re-signs the target without a window, and the device installs.
        _device.Server.Assign(assignment);
        await run.Until(() => _device.ReportsConfirmed(image), "the image confirmed once the window was dropped");
        Assert.Null((await run.StopAsync()).AwaitingWindow);
    }
}
