using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>
/// <c>custom.installWindow</c> of a director target (docs/update-metadata.md §3.1): when the device may <i>install</i>
/// the bundle it may download at once. The server resolves its groups' weekly maintenance windows (local times in an
/// IANA zone) into explicit UTC intervals for the next days, because a device may have no time-zone database (MCU
/// classes have none) and a rule with a zone would need one; comparing its clock with UTC instants needs nothing.
/// The director re-signs long before the last interval has passed (the document lives a day, the intervals cover a
/// week). The window is signed with the rest of the target, so a hostile network cannot open it; no window means
/// install at once (forced deployments, groups without windows).
/// <para>
/// The reader is stricter than TUF's "ignore unknown fields": a member it does not know inside
/// <c>installWindow</c> refuses the document (<c>metadata-malformed</c>), because a window a device only half
/// understood could let it install when the operator said not to; failing closed keeps the bundle off the slot.
/// </para>
/// </summary>
public sealed record InstallWindow(EquatableList<UtcInterval> Intervals)
{
    /// <summary>Member name in the director target's <c>custom</c>.</summary>
    public const string Member = "installWindow";

    /// <summary>Two windows a day for a month is far more than the server sends (a week of them).</summary>
    public const int MaxIntervals = 64;

    /// <summary>No single interval spans more than a week (a weekly window is at most that long).</summary>
    public static readonly TimeSpan MaxIntervalLength = TimeSpan.FromDays(7);

    /// <summary>True when <paramref name="now"/> falls in one of the intervals.</summary>
    public bool IsOpen(DateTimeOffset now) => Intervals.Any(i => i.Contains(now));

    /// <summary>The start of the first interval after <paramref name="now"/>, or null when none lies ahead (then the
    /// device waits for fresher metadata).</summary>
    public DateTimeOffset? NextOpening(DateTimeOffset now) => Intervals.FirstOrDefault(i => i.Start > now)?.Start;

    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        ("intervals", new CanonicalJsonArray(Intervals.Select(i => (CanonicalJsonValue)i.ToJson()))));

    /// <summary>Reads <c>installWindow</c>: 1..<see cref="MaxIntervals"/> intervals in start order, none overlapping the
    /// next, each 0 &lt; end − start ≤ <see cref="MaxIntervalLength"/>; <c>metadata-malformed</c> at the path otherwise.</summary>
    public static InstallWindow FromJson(JsonFields fields)
    {
        fields.RefuseUnknown("intervals");
        var items = fields.Array("intervals", MaxIntervals);
        if (items.Count == 0) throw JsonFields.Malformed(fields.PathOf("intervals"), "an install window has at least one interval (no window: leave installWindow out)");
        var intervals = new List<UtcInterval>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var at = $"{fields.PathOf("intervals")}[{i}]";
            var interval = UtcInterval.FromJson(JsonFields.Of(items[i], at));
            if (intervals.Count > 0 && interval.Start < intervals[^1].End)
                throw JsonFields.Malformed(at, $"starts at {RoleMetadata.FormatTime(interval.Start)}, before the previous interval ends ({RoleMetadata.FormatTime(intervals[^1].End)}): intervals are sorted and do not overlap");
            intervals.Add(interval);
        }
        return new InstallWindow(new EquatableList<UtcInterval>(intervals));
    }
}

/// <summary>One interval of an <see cref="InstallWindow"/>: from <see cref="Start"/> (inclusive) to <see cref="End"/>
/// (exclusive), whole UTC seconds, written as TUF writes times (<c>YYYY-MM-DDTHH:MM:SSZ</c>).</summary>
public sealed record UtcInterval(DateTimeOffset Start, DateTimeOffset End)
{
    public bool Contains(DateTimeOffset now) => now >= Start && now < End;

    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(("end", RoleMetadata.FormatTime(End)), ("start", RoleMetadata.FormatTime(Start)));

    internal static UtcInterval FromJson(JsonFields fields)
    {
        fields.RefuseUnknown("start", "end");
        var start = RoleMetadata.ParseTime(fields.String("start", 32), fields.PathOf("start"));
        var end = RoleMetadata.ParseTime(fields.String("end", 32), fields.PathOf("end"));
        if (end <= start) throw JsonFields.Malformed(fields.PathOf("end"), $"{RoleMetadata.FormatTime(end)} is not after the start {RoleMetadata.FormatTime(start)}");
        if (end - start > InstallWindow.MaxIntervalLength)
            throw JsonFields.Malformed(fields.PathOf("end"), $"the interval lasts {(end - start).TotalHours:0.#} h, at most {InstallWindow.MaxIntervalLength.TotalDays:0} days");
        return new UtcInterval(start, end);
    }
}
