using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Endpoints;

/// <summary>One wave's counts (<c>GET /api/v1/deployments/{id}</c>): pending (not yet offered or waiting to retry), downloading
/// (offered, not yet on trial: among them <paramref name="AwaitingWindow"/>, downloaded and held for the install window), trial,
/// confirmed, failed, and those another deployment took over or whose offer was withdrawn.</summary>
public sealed record WaveView(int Index, string Name, int Devices, int Pending, int Downloading, int Trial, int Confirmed, int Failed, int Superseded, int Withdrawn,
    int AwaitingWindow = 0);

/// <summary>One device's line: wave, state, release offered, attempts, failure kind and reason.</summary>
public sealed record DeploymentDeviceView(string DeviceId, int Wave, string State, string? OfferedReleaseId, int Attempts, string? Failure, string? Reason);

/// <summary>
/// A deployment as the API shows it: the spec as created, status, current wave, per-wave counts, the halt, the
/// timeline, and (<c>GET /api/v1/deployments/{id}</c> only) every device. Stable shape: <c>atym ota status</c>, the
/// fleet simulator and <c>atym up</c> read it.
/// </summary>
public sealed record DeploymentView(
    string Id,
    string ReleaseId,
    string Container,
    string Version,
    string Status,
    int Wave,
    int WaveCount,
    DateTimeOffset? SoakUntil,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string? ApprovedBy,
    string? RollbackOf,
    string? RolledBackBy,
    int AlreadyOnVersion,
    IReadOnlyList<WaveView> Waves,
    HaltReport? Halt,
    IReadOnlyList<TimelineEvent> Timeline,
    DeploymentSpec Spec,
    IReadOnlyList<DeploymentDeviceView>? Devices)
{
    public static DeploymentView Of(DeploymentState s, bool withDevices)
    {
        ArgumentNullException.ThrowIfNull(s);
        var waves = Enumerable.Range(0, s.WaveCount).Select(w =>
        {
            var d = s.Devices.Where(x => x.Wave == w).ToList();
            int Count(params DeviceRolloutState[] states) => d.Count(x => states.Contains(x.State));
            return new WaveView(w, RolloutText.WaveName(s, w), d.Count, Count(DeviceRolloutState.Pending, DeviceRolloutState.RetryWait),
                Count(DeviceRolloutState.Offered, DeviceRolloutState.Waiting), Count(DeviceRolloutState.Trial), Count(DeviceRolloutState.Succeeded), Count(DeviceRolloutState.Failed),
                Count(DeviceRolloutState.Superseded), Count(DeviceRolloutState.Withdrawn), Count(DeviceRolloutState.Waiting));
        }).ToList();
        return new DeploymentView(s.Id, s.Spec.ReleaseId, s.Spec.Container, s.Spec.Version, RolloutEngine.Name(s.Status), s.Wave, s.WaveCount, s.SoakUntil,
            s.Spec.CreatedBy, s.Spec.CreatedAt, s.ApprovedBy, s.Spec.RollbackOf, s.RolledBackBy, s.Devices.Count(d => d.Wave < 0), waves, s.Halt, s.Timeline, s.Spec,
            withDevices ? [.. s.Devices.Select(d => new DeploymentDeviceView(d.DeviceId, d.Wave, RolloutEngine.Name(d.State), d.OfferedReleaseId, d.Attempts,
                d.Failure is { } f ? RolloutText.Kind(f) : null, d.Reason))] : null);
    }
}
