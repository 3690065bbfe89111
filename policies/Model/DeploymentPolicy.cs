using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Model;

/// <summary>How a rollout to a group must go: a mandatory canary first, waves no larger than a share of the group, a soak between waves, and the failure share that halts it.</summary>
public sealed record RolloutConstraints(bool MandatoryCanary, int MaxWavePercent, TimeSpan MinSoak, int HaltFailurePercent, SourcePosition At)
{
    /// <summary>No constraints: what a group without a <c>rollout:</c> section gets.</summary>
    public static RolloutConstraints None(SourcePosition at) => new(false, 100, TimeSpan.Zero, 100, at);
}

/// <summary>A weekly window (UTC) in which waves may start; <see cref="End"/> before <see cref="Start"/> runs past midnight.</summary>
public sealed record MaintenanceWindow(EquatableList<DayOfWeek> Days, TimeOnly Start, TimeOnly End, SourcePosition At)
{
    public bool Contains(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var time = TimeOnly.FromDateTime(utc);
        if (Start < End) return Days.Contains(utc.DayOfWeek) && time >= Start && time < End;
        // Past midnight: the evening part belongs to the listed day, the morning part to the day after it.
        return (Days.Contains(utc.DayOfWeek) && time >= Start) || (Days.Contains(utc.AddDays(-1).DayOfWeek) && time < End);
    }

    public override string ToString() =>
        $"{string.Join(",", Days.Select(DayNames.Of))} {Start:HH\\:mm}-{End:HH\\:mm} UTC";
}

/// <summary>A period in which nothing new is rolled out to a group.</summary>
public sealed record FreezePeriod(DateTimeOffset From, DateTimeOffset To, string Reason, SourcePosition At)
{
    public bool Contains(DateTimeOffset at) => at >= From && at < To;

    public override string ToString() => $"{From:yyyy-MM-ddTHH:mm:ssZ}..{To:yyyy-MM-ddTHH:mm:ssZ}";
}

/// <summary>Devices of a group (a label the fleet gives each device) and what may reach them, how.</summary>
public sealed record DeploymentGroup(
    string Name,
    EquatableList<string> DeviceClasses,
    EquatableList<ContainerNamePattern> Containers,
    RolloutConstraints Rollout,
    EquatableList<MaintenanceWindow> MaintenanceWindows,
    EquatableList<FreezePeriod> Freezes,
    SourcePosition At);

/// <summary>A <c>kind: DeploymentPolicy</c> file (docs/schemas/deployment-policy.v1.schema.json).</summary>
public sealed record DeploymentPolicy(string Name, EquatableList<DeploymentGroup> Groups, string File);

/// <summary>Three-letter day names as policy files write them.</summary>
public static class DayNames
{
    public static readonly IReadOnlyList<string> All = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

    public static string Of(DayOfWeek day) => All[(int)day];

    public static DayOfWeek? Parse(string text) => All.IndexOf(text) is var i and >= 0 ? (DayOfWeek)i : null;

    private static int IndexOf(this IReadOnlyList<string> list, string text)
    {
        for (var i = 0; i < list.Count; i++) if (list[i] == text) return i;
        return -1;
    }
}
