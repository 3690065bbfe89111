using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// Whether an instant falls in a group's maintenance window, in the window's own time zone (so a 02:00 window in
/// Europe/Berlin is 01:00 UTC in winter and 00:00 UTC in summer). A window that runs past midnight belongs to the day
/// it starts on. A device whose groups have no windows is always inside. This is the windows' meaning as operators give
/// them; devices get them as UTC intervals (<see cref="InstallWindows"/>), which InstallWindowsTests checks against it.
/// </summary>
public static class MaintenanceWindows
{
    public static bool IsOpen(IReadOnlyList<MaintenanceWindow> windows, IReadOnlyList<string> groups, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var mine = windows.Where(w => groups.Contains(w.Group, StringComparer.Ordinal)).ToList();
        return mine.Count == 0 || mine.Any(w => Contains(w, now));
    }

    public static bool Contains(MaintenanceWindow window, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(window);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(window.TimeZone);
        var local = TimeZoneInfo.ConvertTime(now, zone).DateTime;
        // The window that started today, or the one that started yesterday and runs past midnight.
        for (var daysBack = 0; daysBack <= (int)Math.Ceiling(window.Length.TotalDays); daysBack++)
        {
            var day = local.Date.AddDays(-daysBack);
            if (!window.Days.Contains(day.DayOfWeek)) continue;
            var start = day + window.Start.ToTimeSpan();
            if (local >= start && local < start + window.Length) return true;
        }
        return false;
    }
}
