using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>What a <see cref="IWaveGate"/> says about a wave about to start.</summary>
public enum WaveGateOutcome
{
    /// <summary>The wave may start.</summary>
    Admit,

    /// <summary>Not now (a freeze, outside a window, no policy set yet): the deployment waits and asks again at the next tick.</summary>
    Wait,

    /// <summary>Forbidden as it stands: the deployment pauses, naming why; an operator resumes it (asked again then).</summary>
    Pause,
}

/// <summary>A gate's answer; <see cref="Detail"/> says why in the words the timeline and the audit log show.</summary>
public sealed record WaveVerdict(WaveGateOutcome Outcome, string Detail)
{
    public static readonly WaveVerdict Admitted = new(WaveGateOutcome.Admit, "");
}

/// <summary>
/// Asked by the rollout engine before each wave of a deployment starts (the first one too, and again after a resume),
/// with the deployment's devices as planned and the time: the OTA server's policy enforcement
/// (ota-server/Rollouts/Policy). Must be a pure function of its inputs and the policy set it serves, like the engine.
/// </summary>
public interface IWaveGate
{
    WaveVerdict Check(DeploymentSpec spec, IReadOnlyList<DeviceRollout> devices, int wave, DateTimeOffset now);
}
