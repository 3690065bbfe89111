using AtymSecure.Primitives;

namespace AtymSecure.OtaStore;

/// <summary>Where a deployment is.</summary>
public enum DeploymentStatus
{
    /// <summary>Waits for a second operator's approval before the first wave.</summary>
    AwaitingApproval,

    /// <summary>Waits for its start time.</summary>
    Scheduled,

    /// <summary>Offers the release wave by wave (a continuous deployment stays here after its last wave).</summary>
    Running,

    /// <summary>An operator paused it: nobody new is offered the release; devices in flight finish.</summary>
    Paused,

    /// <summary>The halt rule tripped (<see cref="DeploymentState.Halt"/> says why): nobody new is offered the release.</summary>
    Halted,

    /// <summary>Every wave finished.</summary>
    Completed,

    /// <summary>An operator cancelled it; devices that confirmed keep the release.</summary>
    Cancelled,

    /// <summary>Its end time passed before every device was offered.</summary>
    Ended,

    /// <summary>A rollback deployment replaced it for the devices that took the release.</summary>
    RolledBack,
}

/// <summary>Where one device of a deployment is.</summary>
public enum DeviceRolloutState
{
    /// <summary>In a wave not yet reached, or waiting for a window, the download cap or the start.</summary>
    Pending,

    /// <summary>Offered the release: downloading or installing (the director names it).</summary>
    Offered,

    /// <summary>Offered, downloaded and verified; the device holds the bundle until its install window opens
    /// (<see cref="DeviceRollout.WaitingUntil"/>). In flight, not silent: the device timeout runs from the opening.</summary>
    Waiting,

    /// <summary>Reports the release in its trial slot.</summary>
    Trial,

    /// <summary>A transient failure; offered again at <see cref="DeviceRollout.RetryAt"/>.</summary>
    RetryWait,

    /// <summary>Reports the release confirmed after its trial.</summary>
    Succeeded,

    /// <summary>Failed (<see cref="DeviceRollout.Failure"/> says how).</summary>
    Failed,

    /// <summary>A newer deployment of the container took the device over.</summary>
    Superseded,

    /// <summary>Offered, then withdrawn by a halt, pause or cancel before it reached its trial.</summary>
    Withdrawn,
}

/// <summary>How a device failed, as the halt rule counts it.</summary>
public enum FailureKind
{
    /// <summary>The install failed and the retries ran out.</summary>
    InstallFailed,

    /// <summary>The health trial failed: the device reverted.</summary>
    TrialFailed,

    /// <summary>The device refused the metadata or the bundle (a verification failure: not retried).</summary>
    Refused,

    /// <summary>No final report within the device timeout.</summary>
    TimedOut,
}

/// <summary>
/// One device of a deployment: its wave (-1: already ran the version when the deployment was created), state, the
/// release it is offered (the target or an intermediate), when, attempts so far, why it failed, and what the engine
/// last saw of it (<see cref="LastReport"/>, the report sequence, so a report is never counted twice, and the marks of
/// the last install, trial and refusal it reported, so only a new one counts). <see cref="WaitingUntil"/>: when the
/// install window the device last reported waiting for opens (the time of that report when no interval lay ahead).
/// </summary>
public sealed record DeviceRollout(
    string DeviceId,
    int Wave,
    DeviceRolloutState State,
    EquatableList<string> Groups,
    string? FromVersion = null,
    string? OfferedReleaseId = null,
    DateTimeOffset? OfferedAt = null,
    int Attempts = 0,
    DateTimeOffset? RetryAt = null,
    FailureKind? Failure = null,
    string? Reason = null,
    long LastReport = 0,
    string? InstallMark = null,
    string? TrialMark = null,
    string? RefusalMark = null,
    DateTimeOffset? WaitingUntil = null)
{
    /// <summary>Since when the device timeout counts: the offer, or the opening of the install window the device said
    /// it waits for (a device that downloads on Monday for a Saturday window is not silent on Tuesday).</summary>
    public DateTimeOffset? InFlightSince => WaitingUntil is { } opens && (OfferedAt is not { } at || opens > at) ? opens : OfferedAt;

    /// <summary>Finished, one way or another: nothing more will happen to it in this deployment.</summary>
    public bool IsFinished => State is DeviceRolloutState.Succeeded or DeviceRolloutState.Failed or DeviceRolloutState.Superseded or DeviceRolloutState.Withdrawn;
}

/// <summary>One line of a deployment's timeline.</summary>
public sealed record TimelineEvent(DateTimeOffset At, string Kind, string Detail);

/// <summary>A failed device as a halt names it: how it failed and the reason it reported (the health probe's, say).</summary>
public sealed record FailedDevice(string DeviceId, FailureKind Kind, string Reason);

/// <summary>Why a deployment halted: the wave, the rule that tripped, the failures by kind, and the failed devices.</summary>
public sealed record HaltReport(DateTimeOffset At, int Wave, string Rule, EquatableMap<int> FailuresByKind, EquatableList<FailedDevice> Devices);

/// <summary>
/// A deployment's plan and progress, persisted after every decision (<see cref="IDeploymentStore"/>) so that a
/// restart resumes exactly where it was. <see cref="Wave"/> is the wave being offered (0 = the canaries when the
/// plan has any); <see cref="WaveCount"/> how many there are; <see cref="SoakUntil"/> set while the current wave
/// soaks. <see cref="Revision"/> guards optimistic updates. <see cref="PolicyHold"/> is why the policy set holds or
/// paused the next wave (null: nothing holds it).
/// </summary>
public sealed record DeploymentState(
    DeploymentSpec Spec,
    DeploymentStatus Status,
    int Wave,
    int WaveCount,
    DateTimeOffset? SoakUntil,
    string? ApprovedBy,
    HaltReport? Halt,
    EquatableList<DeviceRollout> Devices,
    EquatableList<TimelineEvent> Timeline,
    string? RolledBackBy = null,
    long Revision = 0,
    string? PolicyHold = null)
{
    public string Id => Spec.Id;

    /// <summary>Still able to offer the release to someone new.</summary>
    public bool IsActive => Status is DeploymentStatus.AwaitingApproval or DeploymentStatus.Scheduled or DeploymentStatus.Running or DeploymentStatus.Paused;

    public DeviceRollout? Device(string deviceId) => Devices.FirstOrDefault(d => d.DeviceId == deviceId);
}
