using AtymSecure.Runtime.Execution;

namespace AtymSecure.Runtime.Health;

public enum TrialVerdict
{
    Pending,
    Passed,
    Failed,
}

/// <summary>
/// The decision logic of one health trial, driven by probe results, container events and the clock (no
/// threads, no sleeping): K passing probes within T pass it; any failed probe, any failed run (trap, limit,
/// crash loop) or the deadline fail it. Once decided, the verdict never changes.
/// </summary>
public sealed class HealthTrial
{
    private readonly TimeProvider _clock;
    private readonly long _started;

    public HealthTrial(string container, HealthTrialPolicy policy, TimeProvider clock)
    {
        Container = container ?? throw new ArgumentNullException(nameof(container));
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _started = clock.GetTimestamp();
    }

    public string Container { get; }

    public HealthTrialPolicy Policy { get; }

    /// <summary>Time since the trial started, on its clock.</summary>
    public TimeSpan Elapsed => _clock.GetElapsedTime(_started);

    public int Passes { get; private set; }

    public TrialVerdict Verdict { get; private set; }

    public string Reason { get; private set; } = "trial running";

    public TrialVerdict OnProbe(ProbeResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (Verdict != TrialVerdict.Pending) return Verdict;
        if (CheckDeadline() != TrialVerdict.Pending) return Verdict;
        if (!result.Passed) return Decide(TrialVerdict.Failed, $"health probe failed: {result.Detail}");
        Passes++;
        return Passes >= Policy.PassesRequired && Policy.PassesRequired > 0
            ? Decide(TrialVerdict.Passed, $"{Passes} probes passed within {Elapsed.TotalSeconds:F1} s (needed {Policy.PassesRequired} within {Policy.Window.TotalSeconds:F1} s)")
            : Verdict;
    }

    /// <summary>A run that ends during the trial fails it (a trap, a limit, a crash loop, or simply exiting).</summary>
    public TrialVerdict OnContainerEvent(ContainerEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (Verdict != TrialVerdict.Pending) return Verdict;
        if (e.CrashLoop) return Decide(TrialVerdict.Failed, $"crash loop during trial: {e.Message}");
        if (e.Outcome is { } o && o.Kind != OutcomeKind.Stopped)
            return Decide(TrialVerdict.Failed, o.IsFailure ? $"failed during trial: {o}" : $"ended during trial: {o}");
        if (e.State is ContainerRunState.Error or ContainerRunState.Exited)
            return Decide(TrialVerdict.Failed, $"container {e.State.ToString().ToLowerInvariant()} during trial: {e.Message}");
        return Verdict;
    }

    /// <summary>Past the window: fails a probed trial that did not reach K; passes an unprobed one that survived.</summary>
    public TrialVerdict CheckDeadline()
    {
        if (Verdict != TrialVerdict.Pending || Elapsed <= Policy.Window) return Verdict;
        return Policy.PassesRequired == 0
            ? Decide(TrialVerdict.Passed, $"no health check; ran {Policy.Window.TotalSeconds:F1} s without failing")
            : Decide(TrialVerdict.Failed, $"only {Passes} of {Policy.PassesRequired} probes passed within {Policy.Window.TotalSeconds:F1} s");
    }

    private TrialVerdict Decide(TrialVerdict verdict, string reason)
    {
        Verdict = verdict;
        Reason = reason;
        return verdict;
    }
}
