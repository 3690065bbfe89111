using System.Security.Cryptography;
using AtymSecure.Primitives;

namespace AtymSecure.OtaStore;

/// <summary>Whether devices that join the target set after a deployment started are picked up by it.</summary>
public enum TargetingMode
{
    /// <summary>The target set is fixed when the deployment is created.</summary>
    Snapshot,

    /// <summary>Devices that match later (new enrolments in the group) join the running wave.</summary>
    Continuous,
}

/// <summary>
/// Which devices a deployment is for: the devices listed by id, plus every device that matches all the given filters
/// (in one of <paramref name="Groups"/>, carrying every tag of <paramref name="Tags"/>, of class
/// <paramref name="DeviceClass"/>). A set without filters and without ids matches nothing (the request refuses it).
/// </summary>
public sealed record TargetSet(EquatableList<string> Groups, EquatableMap<string> Tags, string? DeviceClass, EquatableList<string> Devices)
{
    public bool HasFilter => Groups.Count > 0 || Tags.Count > 0 || DeviceClass is not null;

    public bool Matches(string deviceId, string deviceClass, IReadOnlyList<string> groups, IReadOnlyDictionary<string, string> tags)
    {
        if (Devices.Contains(deviceId, StringComparer.Ordinal)) return true;
        if (!HasFilter) return false;
        if (Groups.Count > 0 && !groups.Any(g => Groups.Contains(g, StringComparer.Ordinal))) return false;
        if (DeviceClass is not null && deviceClass != DeviceClass) return false;
        return Tags.All(t => tags.TryGetValue(t.Key, out var v) && v == t.Value);
    }
}

/// <summary>One wave's cumulative size: at least <paramref name="Count"/> devices, or <paramref name="Percent"/> of the
/// target set (rounded up), counted from the first device after the canaries. Exactly one of the two is set.</summary>
public sealed record WaveStep(int? Count, double? Percent);

/// <summary>The canaries (spread across groups), then the waves, each followed by <paramref name="Soak"/> before the next.</summary>
public sealed record RolloutPlan(int Canary, EquatableList<WaveStep> Waves, TimeSpan Soak);

/// <summary>
/// When a wave halts the deployment: <paramref name="MaxFailures"/> failed devices in the wave, or a failed share of
/// at least <paramref name="MaxFailureRatio"/> (0..1) once <paramref name="MinFinished"/> of the wave's devices have
/// finished (AWS IoT Jobs' <c>minNumberOfExecutedThings</c>: two early failures out of two do not halt a wave of a
/// thousand on the ratio). Null thresholds do not apply.
/// </summary>
public sealed record HaltRule(int? MaxFailures, double? MaxFailureRatio, int MinFinished);

/// <summary>Retries of transient failures (download, install — never a failed health trial): at most
/// <paramref name="MaxRetries"/> more offers, the n-th after <paramref name="InitialBackoff"/>·2^(n-1), at most <paramref name="MaxBackoff"/>.</summary>
public sealed record RetryPolicy(int MaxRetries, TimeSpan InitialBackoff, TimeSpan MaxBackoff)
{
    public static readonly RetryPolicy None = new(0, TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(30));

    public TimeSpan BackoffBefore(int retry) =>
        TimeSpan.FromTicks(Math.Min(MaxBackoff.Ticks, InitialBackoff.Ticks * (1L << Math.Clamp(retry - 1, 0, 30))));
}

/// <summary>
/// A weekly window of a device group in which installs may start: on <paramref name="Days"/> (local days in
/// <paramref name="TimeZone"/>, an IANA id), from <paramref name="Start"/> local time for <paramref name="Length"/>
/// (may run past midnight). A device of an optional deployment is offered the release at any time and downloads it,
/// but installs only inside a window of its groups: the director signs the windows into the target as UTC intervals
/// (docs/update-metadata.md §3.1).
/// </summary>
public sealed record MaintenanceWindow(string Group, EquatableList<DayOfWeek> Days, TimeOnly Start, TimeSpan Length, string TimeZone);

/// <summary>A release a device must pass through first (it runs an older version than the release's).</summary>
public sealed record IntermediateRelease(string ReleaseId, string Version);

/// <summary>
/// What an operator asked for (<c>POST /api/v1/deployments</c>), fixed once created: release → target set, the plan,
/// halt and retry rules, and the knobs (docs/ota-server.md, Rollouts). The rollout engine (ota-server/Rollouts) moves a
/// <see cref="DeploymentState"/> of it.
/// </summary>
/// <param name="Id"><c>dep-</c> + 16 random hex.</param>
/// <param name="DeviceTimeout">A device offered the release that has not finished within this counts as failed (timed out).</param>
/// <param name="Forced">Forced: no install window is signed (an urgent fix installs at once); optional: windows apply.</param>
/// <param name="RequiresApproval">A second operator (not <paramref name="CreatedBy"/>) must approve before the first wave.</param>
/// <param name="Via">Required intermediate releases, oldest first: a device below one's version gets it first.</param>
/// <param name="MaxConcurrentDownloads">At most this many devices offered and not yet on trial at once (null: no cap).</param>
/// <param name="StartAt">No device is offered before this instant (null: at once).</param>
/// <param name="EndAt">No device is offered after it; devices in flight finish.</param>
/// <param name="TimeZone">The zone the schedule was given in (IANA id), kept for display.</param>
/// <param name="RollbackOf">The deployment this one rolls back, if any.</param>
public sealed record DeploymentSpec(
    string Id,
    string ReleaseId,
    string Container,
    string Version,
    TargetSet Target,
    TargetingMode Targeting,
    RolloutPlan Plan,
    HaltRule Halt,
    TimeSpan DeviceTimeout,
    RetryPolicy Retry,
    bool RollbackOnHalt,
    bool Forced,
    bool RequiresApproval,
    EquatableList<IntermediateRelease> Via,
    int? MaxConcurrentDownloads,
    DateTimeOffset? StartAt,
    DateTimeOffset? EndAt,
    string TimeZone,
    EquatableList<MaintenanceWindow> Windows,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    string? RollbackOf = null)
{
    public static string NewId() => "dep-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
