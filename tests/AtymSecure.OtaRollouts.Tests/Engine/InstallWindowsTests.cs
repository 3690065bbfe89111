using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using CsCheck;
using static AtymSecure.OtaRollouts.Tests.Support.RolloutSamples;

namespace AtymSecure.OtaRollouts.Tests.Engine;

/// <summary>
/// The install window the director signs (<see cref="InstallWindows"/>): group windows in their time zones resolved
/// to UTC intervals for the next days, none for forced deployments or groups without windows, and — the property —
/// open at exactly the instants the zone-aware <see cref="MaintenanceWindows"/> says are inside.
/// </summary>
public sealed class InstallWindowsTests
{
    private static readonly DeploymentSpec WithWindows = Spec() with
    {
        Windows =
        [
            new MaintenanceWindow("eu", [.. Enum.GetValues<DayOfWeek>()], new TimeOnly(2, 0), TimeSpan.FromHours(2), "Europe/Berlin"),
            new MaintenanceWindow("us", [DayOfWeek.Saturday], new TimeOnly(23, 0), TimeSpan.FromHours(3), "America/New_York"),
        ],
    };

    private static DateTimeOffset Utc(int month, int day, int hour) => new(2026, month, day, hour, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_daily_berlin_window_becomes_eight_days_of_utc_intervals_from_the_start_of_the_utc_day()
    {
        var window = InstallWindows.For(WithWindows, ["eu"], Epoch)!; // Wednesday 2 December, 10:00 UTC
        Assert.Equal(InstallWindows.HorizonDays, window.Intervals.Count);
        Assert.Equal(new UtcInterval(Utc(12, 2, 1), Utc(12, 2, 3)), window.Intervals[0]); // 02:00 CET = 01:00 UTC, already past
        Assert.Equal(new UtcInterval(Utc(12, 9, 1), Utc(12, 9, 3)), window.Intervals[^1]);
        Assert.Equal(Utc(12, 3, 1), window.NextOpening(Epoch));
        // The same answer all day long (the director re-signs when the day changes, not on every poll).
        Assert.Equal(window, InstallWindows.For(WithWindows, ["eu"], Epoch.AddHours(13.9)));
        Assert.NotEqual(window, InstallWindows.For(WithWindows, ["eu"], Epoch.AddHours(14)));
    }

    [Fact]
    public void Summer_time_moves_the_utc_interval_and_an_overnight_window_belongs_to_its_first_day()
    {
        var summer = InstallWindows.For(WithWindows, ["eu"], Utc(7, 2, 10))!;
        Assert.Equal(new UtcInterval(Utc(7, 2, 0), Utc(7, 2, 2)), summer.Intervals[0]); // 02:00 CEST = 00:00 UTC
        // Saturday 23:00 in New York (EST, UTC-5) for 3 h: Sunday 04:00-07:00 UTC.
        var us = InstallWindows.For(WithWindows, ["us"], Epoch)!;
        Assert.Equal([new UtcInterval(Utc(12, 6, 4), Utc(12, 6, 7))], us.Intervals);
    }

    [Fact]
    public void No_window_for_a_forced_deployment_for_groups_without_one_or_without_any()
    {
        Assert.Null(InstallWindows.For(WithWindows with { Forced = true }, ["eu"], Epoch));
        Assert.Null(InstallWindows.For(WithWindows, ["asia"], Epoch));
        Assert.Null(InstallWindows.For(Spec(), ["eu"], Epoch));
    }

    [Fact]
    public void A_device_in_two_groups_may_install_in_either_window_and_overlaps_merge()
    {
        var spec = WithWindows with
        {
            Windows = [.. WithWindows.Windows, new MaintenanceWindow("lab", [.. Enum.GetValues<DayOfWeek>()], new TimeOnly(1, 0), TimeSpan.FromHours(3), "UTC")],
        };
        var window = InstallWindows.For(spec, ["eu", "lab", "us"], Epoch)!;
        Assert.Equal(new UtcInterval(Utc(12, 2, 1), Utc(12, 2, 4)), window.Intervals[0]); // eu 01-03 and lab 01-04 UTC
        Assert.Contains(new UtcInterval(Utc(12, 6, 1), Utc(12, 6, 7)), window.Intervals); // Sunday: lab 01-04 and us 04-07 touch
        Assert.All(window.Intervals.Zip(window.Intervals.Skip(1)), p => Assert.True(p.First.End < p.Second.Start));
    }

    [Fact]
    public void A_week_long_window_every_day_is_cut_to_the_format_s_longest_interval()
    {
        var spec = Spec() with { Windows = [new MaintenanceWindow("eu", [.. Enum.GetValues<DayOfWeek>()], new TimeOnly(0, 0), TimeSpan.FromDays(7), "UTC")] };
        var window = InstallWindows.For(spec, ["eu"], Epoch)!;
        Assert.All(window.Intervals, i => Assert.True(i.End - i.Start <= InstallWindow.MaxIntervalLength));
        Assert.True(window.IsOpen(Epoch) && window.IsOpen(Epoch.AddDays(7.5)));
        // What the server signs, a device reads: the director checks it with the device's reader before signing.
        Assert.Equal(window, InstallWindow.FromJson(Formats.UpdateMetadata.Json.JsonFields.Of(window.ToJson(), "$")));
    }

    private static readonly string[] Zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney", "Asia/Kolkata"];

    [Fact]
    public void The_signed_intervals_are_open_exactly_when_the_zone_aware_windows_are()
    {
        var windows = Gen.Select(Gen.Int[0, Zones.Length - 1], Gen.Int[1, 127], Gen.Int[0, 24 * 4 - 1], Gen.Int[1, 7 * 24 * 4])
            .Select((zone, days, start, quarters) => new MaintenanceWindow(
                quarters % 2 == 0 ? "eu" : "us", new AtymSecure.Primitives.EquatableList<DayOfWeek>(Enum.GetValues<DayOfWeek>().Where(d => (days & (1 << (int)d)) != 0)),
                TimeOnly.FromTimeSpan(TimeSpan.FromMinutes(start * 15)), TimeSpan.FromMinutes(quarters * 15), Zones[zone]));
        Gen.Select(windows.Array[1, 3], Gen.Int[0, 365 * 24 * 60], Gen.Int[0, 7 * 24 * 60]).Sample((list, fromMinute, probeMinute) =>
        {
            var spec = Spec() with { Windows = [.. list] };
            var now = Utc(1, 1, 0).AddMinutes(fromMinute);
            var probe = now.AddMinutes(probeMinute);
            // Near a DST change the wall-clock windows and elapsed UTC intervals may differ by the shift: not compared.
            if (list.Any(w => ShiftsNear(TimeZoneInfo.FindSystemTimeZoneById(w.TimeZone), probe))) return;
            foreach (var groups in new[] { new[] { "eu" }, ["us"], ["eu", "us"] })
            {
                var signed = InstallWindows.For(spec, groups, now);
                var expected = MaintenanceWindows.IsOpen(spec.Windows, groups, probe);
                if (signed is null) Assert.True(expected); // no window of these groups: always inside
                else Assert.Equal(expected, signed.IsOpen(probe));
            }
        }, iter: 2000);
    }

    private static bool ShiftsNear(TimeZoneInfo zone, DateTimeOffset at) =>
        zone.GetUtcOffset(at) != zone.GetUtcOffset(at.AddDays(-8)) || zone.GetUtcOffset(at) != zone.GetUtcOffset(at.AddDays(8));
}
