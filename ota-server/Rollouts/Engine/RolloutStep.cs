using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// One decision of the engine, for the audit log: <c>rollout.ACTION</c> on <c>deployment/ID</c> (or
/// <c>deployment/ID/device/DEVICE</c>). <see cref="Detail"/> says why in words people read.
/// </summary>
public sealed record RolloutDecision(string Action, string? DeviceId, string Detail);

/// <summary>The engine's answer: the new state, the decisions that led to it, and whether anything changed (a report
/// can change only what the engine last saw, with no decision).</summary>
public sealed record RolloutStep(DeploymentState State, IReadOnlyList<RolloutDecision> Decisions, bool Changed)
{
    /// <summary>Whether a halt asked for the rollback policy to act (the deployment has <c>rollbackOnHalt</c>).</summary>
    public bool RollbackRequested => Decisions.Any(d => d.Action == RolloutActions.RollbackRequested);

    /// <summary>Devices that went on trial with or confirmed the release after the deployment was rolled back (a download
    /// a halt withdrew went on): <see cref="RolloutEngine.Adopt"/> hands them to the rollback.</summary>
    public IEnumerable<string> ReachedAfterRollback => State.RolledBackBy is null ? []
        : Decisions.Where(d => d.DeviceId is not null && d.Action is RolloutActions.OnTrial or RolloutActions.Confirmed).Select(d => d.DeviceId!);
}

/// <summary>The decision names (audit actions without the <c>rollout.</c> prefix).</summary>
public static class RolloutActions
{
    public const string Created = "created";
    public const string Approved = "approved";
    public const string Started = "started";
    public const string WaveStarted = "wave-started";
    public const string WaveFinished = "wave-finished";
    public const string Offered = "device-offered";
    public const string OnTrial = "device-on-trial";
    public const string AwaitingWindow = "device-awaiting-window";
    public const string Confirmed = "device-confirmed";
    public const string IntermediateConfirmed = "device-intermediate-confirmed";
    public const string Failed = "device-failed";
    public const string RetryScheduled = "device-retry-scheduled";
    public const string Withdrawn = "device-withdrawn";
    public const string Superseded = "device-superseded";
    public const string Joined = "device-joined";
    public const string Halted = "halted";
    public const string RollbackRequested = "rollback-requested";
    public const string RolledBack = "rolled-back";
    public const string Paused = "paused";
    /// <summary>The policy set forbids the next wave as it stands: paused, naming the rule (an operator resumes after a fix).</summary>
    public const string PolicyPaused = "policy-paused";
    /// <summary>The policy set holds the next wave for now (a freeze, outside its windows): it starts when allowed.</summary>
    public const string PolicyWait = "policy-wait";
    public const string Resumed = "resumed";
    public const string Cancelled = "cancelled";
    public const string Completed = "completed";
    public const string Reopened = "reopened";
    public const string Ended = "ended";
}
