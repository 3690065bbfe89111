using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using CsCheck;
using static AtymSecure.OtaRollouts.Tests.Support.RolloutSamples;

namespace AtymSecure.OtaRollouts.Tests.Service;

/// <summary>
/// <see cref="InstallWindowMemo"/> answers what <see cref="InstallWindows.For"/> answers, for any deployment windows, groups
/// and instant — one memo across every sample, so hits, misses, new days and days going back are all exercised.
/// </summary>
public sealed class InstallWindowMemoTests
{
    private static readonly string[] Zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"];

    [Fact]
    public void The_memo_gives_the_computed_window_for_every_spec_group_set_and_instant()
    {
        var memo = new InstallWindowMemo();
        var window = Gen.Select(Gen.Int[0, Zones.Length - 1], Gen.Int[1, 127], Gen.Int[0, 95], Gen.Int[1, 96], Gen.Int[0, 2])
            .Select((zone, days, start, quarters, group) => new MaintenanceWindow(
                new[] { "eu", "us", "asia" }[group],
                new AtymSecure.Primitives.EquatableList<DayOfWeek>(Enum.GetValues<DayOfWeek>().Where(d => (days & (1 << (int)d)) != 0)),
                TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(start * 15)), TimeSpan.FromMinutes(quarters * 15), Zones[zone]));
        // Three specs drawn once and few days, so the memo is hit as well as missed.
        var specs = window.Array[0, 3].Array[3].Single();
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 20 * 24], Gen.Int[0, 7], Gen.Bool).Sample((which, hour, groupBits, forced) =>
        {
            var spec = Spec() with { Windows = [.. specs[which]], Forced = forced };
            var groups = new[] { "eu", "us", "asia" }.Where((_, i) => (groupBits & (1 << i)) != 0).ToArray();
            var now = Epoch.AddHours(hour);
            Assert.Equal(InstallWindows.For(spec, groups, now), memo.For(spec, groups, now));
        }, iter: 400);
    }

    [Fact]
    public void A_changed_window_in_the_same_deployment_is_a_new_answer()
    {
        var memo = new InstallWindowMemo();
        var early = Spec() with { Windows = [new MaintenanceWindow("eu", [DayOfWeek.Monday], new TimeOnly(2, 0), TimeSpan.FromHours(1), "UTC")] };
        var late = early with { Windows = [new MaintenanceWindow("eu", [DayOfWeek.Monday], new TimeOnly(4, 0), TimeSpan.FromHours(1), "UTC")] };
        var first = memo.For(early, ["eu"], Epoch);
        var second = memo.For(late, ["eu"], Epoch);
        Assert.NotNull(first);
        Assert.Equal(InstallWindows.For(late, ["eu"], Epoch), second);
        Assert.NotEqual(first, second);
    }
}
