using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using static AtymSecure.OtaRollouts.Tests.Support.RolloutSamples;

namespace AtymSecure.OtaRollouts.Tests.Engine;

public sealed class WavePlannerTests
{
    [Fact]
    public void Canaries_are_spread_across_groups_and_percent_waves_are_cumulative()
    {
        var (devices, waves) = WavePlanner.Plan(Spec(canary: 2, waves: [new(null, 10), new(null, 50), new(null, 100)]), Fleet(22));
        Assert.Equal(4, waves);
        var canaries = devices.Where(d => d.Wave == 0).ToList();
        Assert.Equal(2, canaries.Count);
        Assert.Equal(["eu", "us"], canaries.Select(d => d.Groups.Single()).Order());
        // 20 after the canaries: 10% = 2, 50% = 10 (8 more), 100% = 20 (10 more).
        Assert.Equal([2, 2, 8, 10], Enumerable.Range(0, 4).Select(w => devices.Count(d => d.Wave == w)));
    }

    [Fact]
    public void Count_waves_are_cumulative_and_the_last_wave_always_reaches_every_device()
    {
        var (devices, waves) = WavePlanner.Plan(Spec(canary: 0, waves: [new(3, null), new(5, null)]), Fleet(9));
        Assert.Equal(3, waves);
        Assert.Equal([3, 2, 4], Enumerable.Range(0, 3).Select(w => devices.Count(d => d.Wave == w)));
    }

    [Fact]
    public void Devices_already_on_the_version_are_done_and_in_no_wave_and_devices_outside_the_target_set_are_left_out()
    {
        var fleet = Fleet(4);
        fleet.Add(Device("d-new", "eu", "2.0.0"));
        fleet.Add(Device("d-asia", "asia"));
        var (devices, _) = WavePlanner.Plan(Spec(canary: 1), fleet);
        Assert.DoesNotContain(devices, d => d.DeviceId == "d-asia");
        var already = Assert.Single(devices, d => d.Wave < 0);
        Assert.Equal(("d-new", DeviceRolloutState.Succeeded), (already.DeviceId, already.State));
    }

    [Fact]
    public void Explicit_devices_tags_and_class_select_the_target_set()
    {
        var target = new TargetSet([], new([KeyValuePair.Create("ring", "beta")]), "linux-x86_64", ["d-listed"]);
        Assert.True(target.Matches("d-listed", "mcu", [], new Dictionary<string, string>()));
        Assert.True(target.Matches("d1", "linux-x86_64", ["x"], new Dictionary<string, string> { ["ring"] = "beta" }));
        Assert.False(target.Matches("d1", "mcu-cortex-m33", ["x"], new Dictionary<string, string> { ["ring"] = "beta" }));
        Assert.False(target.Matches("d1", "linux-x86_64", ["x"], new Dictionary<string, string> { ["ring"] = "stable" }));
        Assert.False(new TargetSet([], AtymSecure.Primitives.EquatableMap<string>.Empty, null, []).Matches("d1", "c", [], new Dictionary<string, string>()));
    }
}
