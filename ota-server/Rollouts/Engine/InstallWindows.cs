using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// The install window the director signs into a device's target (docs/update-metadata.md §3.1): its groups' weekly
/// maintenance windows, resolved here — where the time-zone database is — to explicit UTC intervals, so a device needs
/// only its clock. The intervals run from the start of the current UTC day for <see cref="HorizonDays"/> days: the
/// answer changes once a day (one re-sign a day, inside the director's own daily re-signing), and a director document,
/// which lives a day, always carries a week of openings ahead. Each window's local start and end are converted as
/// wall-clock times, as <see cref="MaintenanceWindows.Contains"/> reads them (a start in a skipped DST hour moves to the
/// first valid local time after it). Overlapping windows of several groups merge (a device may install in any of
/// them); forced deployments and devices whose groups have no window get none (install at once).
/// </summary>
public static class InstallWindows
{
    /// <summary>Days of intervals signed ahead: more than the director document's one-day life plus a week's cycle.</summary>
    public const int HorizonDays = 8;

    public static InstallWindow? For(DeploymentSpec spec, IReadOnlyList<string> groups, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(groups);
        if (spec.Forced) return null;
        var mine = spec.Windows.Where(w => groups.Contains(w.Group, StringComparer.Ordinal)).ToList();
        if (mine.Count == 0) return null;
        var from = new DateTimeOffset(now.UtcDateTime.Date, TimeSpan.Zero);
        var until = from.AddDays(HorizonDays);
        var intervals = mine.SelectMany(w => Occurrences(w, from, until)).OrderBy(i => i.Start).ToList();
        var merged = Split(Merge(intervals)).Take(InstallWindow.MaxIntervals).ToList();
        return merged.Count == 0 ? null : new InstallWindow(new EquatableList<UtcInterval>(merged));
    }

    /// <summary>The UTC intervals of one weekly window that overlap [<paramref name="from"/>, <paramref name="until"/>):
    /// local days from a week before (a long window that started then may still run) to the last day.</summary>
    private static IEnumerable<UtcInterval> Occurrences(MaintenanceWindow window, DateTimeOffset from, DateTimeOffset until)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(window.TimeZone);
        var firstDay = TimeZoneInfo.ConvertTime(from, zone).Date.AddDays(-7);
        var lastDay = TimeZoneInfo.ConvertTime(until, zone).Date;
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            if (!window.Days.Contains(day.DayOfWeek)) continue;
            var startLocal = day + window.Start.ToTimeSpan();
            var start = Utc(startLocal, zone);
            var end = Utc(startLocal + window.Length, zone);
            if (end <= start || end <= from || start >= until) continue;
            yield return new UtcInterval(Whole(start), Whole(end));
        }
    }

    private static DateTimeOffset Utc(DateTime local, TimeZoneInfo zone)
    {
        // A wall-clock time the zone skips (spring forward) opens at the first valid local time after it.
        while (zone.IsInvalidTime(local)) local = local.AddMinutes(15);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone), TimeSpan.Zero);
    }

    private static DateTimeOffset Whole(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static IEnumerable<UtcInterval> Merge(List<UtcInterval> sorted)
    {
        UtcInterval? current = null;
        foreach (var next in sorted)
        {
            if (current is null) current = next;
            else if (next.Start <= current.End) current = current with { End = next.End > current.End ? next.End : current.End };
            else
            {
                yield return current;
                current = next;
            }
        }
        if (current is not null) yield return current;
    }

    /// <summary>Merged windows of several groups may outlast a week; the format caps one interval there, so split.</summary>
    private static IEnumerable<UtcInterval> Split(IEnumerable<UtcInterval> intervals)
    {
        foreach (var interval in intervals)
        {
            var start = interval.Start;
            while (interval.End - start > InstallWindow.MaxIntervalLength)
            {
                yield return new UtcInterval(start, start + InstallWindow.MaxIntervalLength);
                start += InstallWindow.MaxIntervalLength;
            }
            yield return new UtcInterval(start, interval.End);
        }
    }
}
