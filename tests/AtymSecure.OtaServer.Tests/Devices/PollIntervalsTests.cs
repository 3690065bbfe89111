using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Devices;
using CsCheck;

namespace AtymSecure.OtaServer.Tests.Devices;

/// <summary>The per-device jitter of the poll interval: fixed per device, inside its band, and spread across a fleet.</summary>
public class PollIntervalsTests
{
    private static readonly string[] Fleet = [.. Enumerable.Range(0, 2000).Select(i => $"atym-{i:x16}")];

    [Fact]
    public void A_fleet_spreads_over_the_whole_band_and_each_device_keeps_its_interval()
    {
        var intervals = Fleet.Select(id => PollIntervals.Jittered(600, 10, id)).ToList();
        Assert.All(intervals, s => Assert.InRange(s, 540, 660));
        Assert.Equal(intervals, Fleet.Select(id => PollIntervals.Jittered(600, 10, id))); // deterministic
        Assert.True(intervals.Distinct().Count() > 100, $"only {intervals.Distinct().Count()} distinct intervals");
        // Uniform over the band: each fifth of it holds about a fifth of the fleet (2000 devices: 400 ± a wide margin).
        foreach (var fifth in Enumerable.Range(0, 5))
            Assert.InRange(intervals.Count(s => s >= 540 + 24 * fifth && s < 540 + 24 * (fifth + 1) + (fifth == 4 ? 1 : 0)), 300, 500);
        Assert.InRange(intervals.Average(), 594, 606);
    }

    [Fact]
    public void No_jitter_is_the_interval_itself_and_the_protocols_bounds_hold()
    {
        Assert.All(Fleet, id => Assert.Equal(60, PollIntervals.Jittered(60, 0, id)));
        Assert.All(Fleet, id => Assert.InRange(PollIntervals.Jittered(1, 50, id), PollAnswer.MinPollIntervalSeconds, 2));
        Assert.All(Fleet, id => Assert.InRange(PollIntervals.Jittered(PollAnswer.MaxPollIntervalSeconds, 50, id), 43_200, PollAnswer.MaxPollIntervalSeconds));
    }

    [Fact]
    public void Property_every_jittered_interval_is_within_its_percentage_of_the_interval_and_the_protocols_bounds()
    {
        Gen.Select(Gen.Long[PollAnswer.MinPollIntervalSeconds, PollAnswer.MaxPollIntervalSeconds], Gen.Int[0, PollIntervals.MaxJitterPercent], Gen.String)
            .Sample((seconds, percent, id) =>
            {
                var jittered = PollIntervals.Jittered(seconds, percent, id);
                Assert.InRange(jittered, PollAnswer.MinPollIntervalSeconds, PollAnswer.MaxPollIntervalSeconds);
                Assert.InRange(jittered, Math.Floor(seconds * (1 - percent / 100.0)), Math.Ceiling(seconds * (1 + percent / 100.0)));
                Assert.Equal(jittered, PollIntervals.Jittered(seconds, percent, id));
            }, iter: 2000);
    }
}
