using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// The engine's scratch copy of one state while it decides: devices by index, the timeline and the decisions so far.
/// Deployment-level decisions go to the timeline as well; per-device ones only to the audit log (a fleet of thousands
/// would drown the timeline).
/// </summary>
internal sealed class RolloutWork(DeploymentState state, DateTimeOffset now, IWaveGate? gate = null)
{
    private readonly DeploymentState _original = state;
    private readonly List<RolloutDecision> _decisions = [];
    private readonly List<TimelineEvent> _timeline = [.. state.Timeline];

    public DeploymentState State { get; set; } = state;

    public List<DeviceRollout> Devices { get; } = [.. state.Devices];

    public DateTimeOffset Now { get; } = now;

    public DeploymentSpec Spec => State.Spec;

    /// <summary>
    /// Whether wave <paramref name="wave"/> may start now (no gate: always). A wait is said once (the timeline and the
    /// audit log get it when its reason changes, not at every tick); a refusal pauses the deployment, naming why.
    /// </summary>
    public bool MayStart(int wave)
    {
        var verdict = gate?.Check(Spec, Devices, wave, Now) ?? WaveVerdict.Admitted;
        switch (verdict.Outcome)
        {
            case WaveGateOutcome.Wait:
                if (State.PolicyHold != verdict.Detail)
                {
                    State = State with { PolicyHold = verdict.Detail };
                    Event(RolloutActions.PolicyWait, verdict.Detail);
                }
                return false;
            case WaveGateOutcome.Pause:
                State = State with { PolicyHold = verdict.Detail };
                Status(DeploymentStatus.Paused, RolloutActions.PolicyPaused, verdict.Detail);
                return false;
            default:
                if (State.PolicyHold is not null) State = State with { PolicyHold = null };
                return true;
        }
    }

    public void Event(string action, string detail)
    {
        _decisions.Add(new RolloutDecision(action, null, detail));
        _timeline.Add(new TimelineEvent(Now, action, detail));
    }

    public void DeviceEvent(int index, DeviceRollout updated, string action, string detail)
    {
        Devices[index] = updated;
        _decisions.Add(new RolloutDecision(action, updated.DeviceId, detail));
    }

    public void Status(DeploymentStatus status, string action, string detail)
    {
        State = State with { Status = status };
        Event(action, detail);
    }

    public int IndexOf(string deviceId) => Devices.FindIndex(d => d.DeviceId == deviceId);

    public RolloutStep Finish()
    {
        var next = State with { Devices = new EquatableList<DeviceRollout>(Devices), Timeline = new EquatableList<TimelineEvent>(_timeline) };
        return new RolloutStep(next, _decisions, _decisions.Count > 0 || next != _original);
    }
}
