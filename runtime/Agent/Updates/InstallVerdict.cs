using AtymSecure.DeviceAgent.Status;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Updates;

/// <summary>How the agent ended one inbox file (<see cref="InstallAwaiter"/>), in the order a gateway script tests them.</summary>
public enum InstallVerdictKind
{
    /// <summary>Every container the file carried was installed and its health trial passed: the new slot is confirmed (or the device was already up to date).</summary>
    Confirmed,

    /// <summary>The agent refused the file or an image in it (a metadata reason code such as <c>wrong-device</c>), or the write failed; no slot changed for that image.</summary>
    Refused,

    /// <summary>Installed, but the health trial failed and the agent reverted to the confirmed slot.</summary>
    Reverted,

    /// <summary>No verdict within the wait: the agent did not take the file, or a trial was still undecided.</summary>
    TimedOut,
}

/// <summary>
/// The agent's verdict on one inbox file, read from its status.json: made only by <see cref="InstallAwaiter"/> (the
/// constructor is private), so a caller cannot claim a confirmation the status did not hold. <see cref="Reason"/> starts
/// with the reason code (<c>wrong-device: …</c>, <c>timed-out: …</c>, the trial's reason for a revert).
/// </summary>
public sealed record InstallVerdict
{
    private InstallVerdict(InstallVerdictKind kind, string reason, EquatableList<InstallStatus> installs)
    {
        Kind = kind;
        Reason = reason;
        Installs = installs;
    }

    public InstallVerdictKind Kind { get; }
    public string Reason { get; }

    /// <summary>The status lines the agent recorded for the file (empty when it never took it).</summary>
    public EquatableList<InstallStatus> Installs { get; }

    public const string TimedOutCode = "timed-out";
    public const string RevertedCode = "trial-failed";

    internal static InstallVerdict Confirmed(IReadOnlyList<InstallStatus> installs, string reason) => new(InstallVerdictKind.Confirmed, reason, new(installs));

    internal static InstallVerdict Refused(IReadOnlyList<InstallStatus> installs, InstallStatus refusal) =>
        new(InstallVerdictKind.Refused, refusal.Detail, new(installs));

    internal static InstallVerdict Reverted(IReadOnlyList<InstallStatus> installs, TrialStatus trial) =>
        new(InstallVerdictKind.Reverted, $"{RevertedCode}: {trial.Container} {trial.Version} failed its health trial and was reverted: {trial.Reason}", new(installs));

    internal static InstallVerdict TimedOut(IReadOnlyList<InstallStatus> installs, string waitingFor) =>
        new(InstallVerdictKind.TimedOut, $"{TimedOutCode}: {waitingFor}", new(installs));
}
