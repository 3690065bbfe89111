using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// The rollout engine: a pure state machine from (deployment state, an input, the time) to the next state and the
/// decisions that led there (for the audit log). No I/O and no clock of its own, like the device's HealthTrial: the
/// service passes <c>TimeProvider.GetUtcNow()</c>, tests a fake clock, and a restart that reloads the stored state
/// continues exactly where it was. Inputs: <see cref="Create"/>, <see cref="Tick"/> (time passed: start, timeouts,
/// retries, soak, the next wave, continuous joins), <see cref="Observe"/> (a device's report), and the operator's
/// <see cref="Approve"/>, <see cref="Pause"/>, <see cref="Resume"/>, <see cref="Cancel"/>; <see cref="Supersede"/> and
/// <see cref="MarkRolledBack"/> when another deployment takes devices over. Refused operator actions throw
/// <see cref="OtaProblemException"/> (409) and change nothing. An <see cref="IWaveGate"/> (the policy set) is asked
/// before each wave starts, the first one included: it may hold the wave (a wait, said once) or pause the deployment.
/// </summary>
public static class RolloutEngine
{
    public static RolloutStep Create(DeploymentSpec spec, IReadOnlyList<FleetDevice> fleet, DateTimeOffset now, IWaveGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var (devices, waves) = WavePlanner.Plan(spec, fleet);
        var status = spec.RequiresApproval ? DeploymentStatus.AwaitingApproval : DeploymentStatus.Scheduled;
        var state = new DeploymentState(spec, status, 0, waves, null, null, null, devices, []);
        var work = new RolloutWork(state, now, gate);
        var already = devices.Count(d => d.Wave < 0);
        work.Event(RolloutActions.Created, $"{spec.Container} {spec.Version} to {devices.Count} devices in {waves} waves" +
            (already > 0 ? $" ({already} already on it)" : "") + (spec.RequiresApproval ? "; waits for a second operator's approval" : ""));
        Advance(work);
        return work.Finish();
    }

    /// <summary>Time passed (and, for continuous targeting, the fleet as it is now: devices that match join the current wave).</summary>
    public static RolloutStep Tick(DeploymentState state, DateTimeOffset now, IReadOnlyList<FleetDevice>? fleet = null, IWaveGate? gate = null)
    {
        var work = new RolloutWork(state, now, gate);
        if (fleet is not null && state.Spec.Targeting == TargetingMode.Continuous && state.IsActive) Join(work, fleet);
        Advance(work);
        return work.Finish();
    }

    public static RolloutStep Observe(DeploymentState state, DeviceObservation observation, DateTimeOffset now, IWaveGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(observation);
        var work = new RolloutWork(state, now, gate);
        DeviceProgress.Observe(work, observation);
        Advance(work);
        return work.Finish();
    }

    public static RolloutStep Approve(DeploymentState state, OperatorIdentity approver, DateTimeOffset now, IWaveGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(approver);
        if (!state.Spec.RequiresApproval) throw Conflict(RolloutProblemCodes.ApprovalNotRequired, $"{state.Id} does not need an approval");
        if (state.Status != DeploymentStatus.AwaitingApproval) throw Conflict(RolloutProblemCodes.StateConflict, $"{state.Id} is {Name(state.Status)}, not awaiting approval");
        var by = Actor(approver);
        if (by == state.Spec.CreatedBy || state.Spec.CreatedBy.StartsWith(approver.TokenId + " ", StringComparison.Ordinal) || state.Spec.CreatedBy == approver.TokenId)
            throw Conflict(RolloutProblemCodes.ApprovalBySameOperator, $"{state.Id} was created by {state.Spec.CreatedBy}; another operator must approve it");
        var work = new RolloutWork(state with { ApprovedBy = by }, now, gate);
        work.Status(DeploymentStatus.Scheduled, RolloutActions.Approved, $"approved by {by}");
        Advance(work);
        return work.Finish();
    }

    public static RolloutStep Pause(DeploymentState state, OperatorIdentity actor, DateTimeOffset now)
    {
        if (state.Status is not (DeploymentStatus.Running or DeploymentStatus.Scheduled))
            throw Conflict(RolloutProblemCodes.StateConflict, $"{state.Id} is {Name(state.Status)}; only a running or scheduled deployment pauses");
        var work = new RolloutWork(state, now);
        work.Status(DeploymentStatus.Paused, RolloutActions.Paused, $"paused by {Actor(actor)}; devices in flight finish");
        return work.Finish();
    }

    public static RolloutStep Resume(DeploymentState state, OperatorIdentity actor, DateTimeOffset now, IWaveGate? gate = null)
    {
        if (state.Status != DeploymentStatus.Paused) throw Conflict(RolloutProblemCodes.StateConflict, $"{state.Id} is {Name(state.Status)}, not paused");
        var work = new RolloutWork(state, now, gate);
        work.Status(DeploymentStatus.Scheduled, RolloutActions.Resumed, $"resumed by {Actor(actor)}");
        Advance(work);
        return work.Finish();
    }

    public static RolloutStep Cancel(DeploymentState state, OperatorIdentity actor, DateTimeOffset now)
    {
        if (!state.IsActive && state.Status != DeploymentStatus.Halted)
            throw Conflict(RolloutProblemCodes.StateConflict, $"{state.Id} is {Name(state.Status)}; nothing to cancel");
        var work = new RolloutWork(state, now);
        work.Status(DeploymentStatus.Cancelled, RolloutActions.Cancelled, $"cancelled by {Actor(actor)}; devices that confirmed keep {state.Spec.Version}");
        WithdrawUnstarted(work, "cancelled");
        return work.Finish();
    }

    /// <summary>
    /// Another deployment of the container takes <paramref name="deviceIds"/> over: with <paramref name="onlyPending"/>
    /// (a newer deployment was created) the devices not yet offered; otherwise (the device confirmed the newer
    /// deployment's release) the device whatever its state here.
    /// </summary>
    public static RolloutStep Supersede(DeploymentState state, IReadOnlyCollection<string> deviceIds, string byDeployment, bool onlyPending, DateTimeOffset now,
        IWaveGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(deviceIds);
        var work = new RolloutWork(state, now, gate);
        for (var i = 0; i < work.Devices.Count; i++)
        {
            var d = work.Devices[i];
            if (!deviceIds.Contains(d.DeviceId) || d.State == DeviceRolloutState.Superseded) continue;
            if (onlyPending && d.State is not (DeviceRolloutState.Pending or DeviceRolloutState.RetryWait or DeviceRolloutState.Withdrawn)) continue;
            work.DeviceEvent(i, d with { State = DeviceRolloutState.Superseded, Reason = $"superseded by {byDeployment}" },
                RolloutActions.Superseded, $"superseded by {byDeployment}");
        }
        Advance(work);
        return work.Finish();
    }

    /// <summary>A rollback deployment (<paramref name="rollback"/>) now serves the devices that took this release.</summary>
    public static RolloutStep MarkRolledBack(DeploymentState state, string rollback, DateTimeOffset now)
    {
        var work = new RolloutWork(state with { RolledBackBy = rollback }, now);
        WithdrawUnstarted(work, "rolled back");
        work.Status(DeploymentStatus.RolledBack, RolloutActions.RolledBack, $"rolled back by {rollback}");
        return work.Finish();
    }

    /// <summary>
    /// A device of <paramref name="rolledBack"/> reached its release after <paramref name="rollback"/> was made (a halt
    /// withdrew its offer mid-download and the download went on to a trial or a confirm): the rollback takes it too, as a
    /// device joining its wave, so the director names the rollback's release to it; a completed rollback runs again for
    /// it. A device already in the rollback, or a rollback no longer running or completed (cancelled), changes nothing.
    /// </summary>
    public static RolloutStep Adopt(DeploymentState rollback, DeploymentState rolledBack, FleetDevice device, DateTimeOffset now, IWaveGate? gate = null)
    {
        ArgumentNullException.ThrowIfNull(rollback);
        ArgumentNullException.ThrowIfNull(rolledBack);
        ArgumentNullException.ThrowIfNull(device);
        if (rollback.Spec.RollbackOf != rolledBack.Id) throw new ArgumentException($"{rollback.Id} does not roll back {rolledBack.Id}", nameof(rollback));
        var work = new RolloutWork(rollback, now, gate);
        if (work.IndexOf(device.Id) >= 0 || !(rollback.IsActive || rollback.Status == DeploymentStatus.Completed)) return work.Finish();
        var joining = WavePlanner.Joining(work.Spec, device, work.State.Wave);
        work.Devices.Add(joining);
        var reached = $"reached {rolledBack.Spec.Version} of {rolledBack.Id} after this rollback was made";
        work.DeviceEvent(work.Devices.Count - 1, joining, RolloutActions.Joined,
            joining.Wave < 0 ? $"{reached}; its confirmed slot is on {work.Spec.Version}" : $"{reached}; rolled back too");
        if (joining.Wave >= 0 && work.State.Status == DeploymentStatus.Completed)
            work.Status(DeploymentStatus.Running, RolloutActions.Reopened, $"runs again for {device.Id}, which {reached}");
        Advance(work);
        return work.Finish();
    }

    /// <summary>The release each device is offered now: offered, waiting and on-trial devices their stage, confirmed ones
    /// the target (so the director keeps naming what they run, until another deployment takes them over).</summary>
    public static IEnumerable<(string DeviceId, string ReleaseId)> Offers(DeploymentState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        foreach (var d in state.Devices)
        {
            if (d.State is DeviceRolloutState.Offered or DeviceRolloutState.Waiting or DeviceRolloutState.Trial && d.OfferedReleaseId is { } release) yield return (d.DeviceId, release);
            else if (d.State == DeviceRolloutState.Succeeded) yield return (d.DeviceId, state.Spec.ReleaseId);
        }
    }

    /// <summary>Everything time and the last input allow: timeouts, the halt rule, start and end, admissions, the next wave.</summary>
    private static void Advance(RolloutWork work)
    {
        DeviceProgress.CheckTimeouts(work);
        if (work.State.Status is DeploymentStatus.Running or DeploymentStatus.Paused or DeploymentStatus.Ended && HaltRuleEvaluator.Evaluate(work.State, work.Devices, work.Now) is { } halt)
        {
            work.State = work.State with { Halt = halt };
            work.Status(DeploymentStatus.Halted, RolloutActions.Halted, $"{halt.Rule}: " +
                string.Join("; ", halt.Devices.Select(d => $"{d.DeviceId} {RolloutText.Kind(d.Kind)}: {d.Reason}")));
            WithdrawUnstarted(work, "halted");
            if (work.Spec.RollbackOnHalt) work.Event(RolloutActions.RollbackRequested, "the rollback policy rolls the devices that took the release back");
            return;
        }
        if (work.State.Status == DeploymentStatus.Scheduled && (work.Spec.StartAt is not { } start || work.Now >= start) && work.MayStart(work.State.Wave))
            work.Status(DeploymentStatus.Running, RolloutActions.Started, $"{RolloutText.WaveName(work.State, work.State.Wave)} of {work.State.WaveCount} starts");
        if (work.State.Status == DeploymentStatus.Running && work.Spec.EndAt is { } end && work.Now >= end)
        {
            work.Status(DeploymentStatus.Ended, RolloutActions.Ended, $"the end time {end:O} passed; devices in flight finish, nobody new is offered");
            return;
        }
        if (work.State.Status == DeploymentStatus.Running) WaveAdmission.Advance(work);
    }

    /// <summary>Offered devices that have not reached their trial (waiting for a window too) lose the offer; those on trial finish.</summary>
    private static void WithdrawUnstarted(RolloutWork work, string why)
    {
        for (var i = 0; i < work.Devices.Count; i++)
        {
            var d = work.Devices[i];
            if (d.State is DeviceRolloutState.Offered or DeviceRolloutState.Waiting or DeviceRolloutState.RetryWait)
                work.DeviceEvent(i, d with { State = DeviceRolloutState.Withdrawn, Reason = $"offer withdrawn: {why}" }, RolloutActions.Withdrawn, $"offer withdrawn: {why}");
        }
    }

    private static void Join(RolloutWork work, IReadOnlyList<FleetDevice> fleet)
    {
        foreach (var device in WavePlanner.Members(work.Spec, fleet))
        {
            if (work.IndexOf(device.Id) >= 0) continue;
            var joining = WavePlanner.Joining(work.Spec, device, work.State.Wave);
            work.Devices.Add(joining);
            work.DeviceEvent(work.Devices.Count - 1, joining, RolloutActions.Joined,
                joining.Wave < 0 ? $"joined the target set, already on {work.Spec.Version}" : $"joined the target set; in {RolloutText.WaveName(work.State, joining.Wave)}");
        }
    }

    internal static string Actor(OperatorIdentity actor) => $"{actor.TokenId} {actor.Label}".Trim();

    internal static string Name(DeploymentStatus status) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(status.ToString());

    internal static string Name(DeviceRolloutState state) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(state.ToString());

    private static OtaProblemException Conflict(string code, string message) => new(409, code, "$", message);
}
