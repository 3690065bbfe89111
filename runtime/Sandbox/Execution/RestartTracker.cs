using AtymSecure.Formats.Container;

namespace AtymSecure.Runtime.Execution;

/// <summary>What to do after a run ended.</summary>
public sealed record RestartDecision(bool Restart, TimeSpan Delay, bool CrashLoop, string Reason);

/// <summary>
/// Restart policy with exponential backoff and crash-loop detection, as a pure function of run outcomes
/// (no clock, no threads). A run that lasted at least <see cref="StableRun"/> resets the backoff. Consecutive
/// failed runs shorter than that are a crash loop once they reach <see cref="CrashLoopThreshold"/>, or, with a
/// retry limit, once the retries are used up (then the container is given up).
/// </summary>
public sealed class RestartTracker
{
    public RestartTracker(RestartPolicy policy, TimeSpan? stableRun = null, int crashLoopThreshold = 5)
    {
        Policy = policy ?? throw new ArgumentNullException(nameof(policy));
        StableRun = stableRun ?? TimeSpan.FromSeconds(30);
        CrashLoopThreshold = crashLoopThreshold > 0 ? crashLoopThreshold : throw new ArgumentOutOfRangeException(nameof(crashLoopThreshold));
    }

    public RestartPolicy Policy { get; }

    public TimeSpan StableRun { get; }

    public int CrashLoopThreshold { get; }

    /// <summary>Failed short runs in a row.</summary>
    public int ConsecutiveFailures { get; private set; }

    /// <summary>Restarts performed so far.</summary>
    public int Restarts { get; private set; }

    public RestartDecision OnRunEnded(RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Kind == OutcomeKind.Stopped) return new(false, TimeSpan.Zero, false, "stopped on request");
        if (outcome.Duration >= StableRun) ConsecutiveFailures = 0;
        if (outcome.IsFailure) ConsecutiveFailures++;

        if (outcome.IsPermanent) return new(false, TimeSpan.Zero, false, $"not restarted: {outcome.Message}");
        var wanted = Policy.Mode switch
        {
            RestartMode.Always => true,
            RestartMode.OnFailure => outcome.IsFailure,
            _ => false,
        };
        var crashLoop = ConsecutiveFailures >= CrashLoopThreshold;
        if (!wanted) return new(false, TimeSpan.Zero, crashLoop, $"restart policy '{RestartPolicy.ModeName(Policy.Mode)}' does not restart after: {outcome}");
        if (Policy.MaxRetries > 0 && ConsecutiveFailures > Policy.MaxRetries)
            return new(false, TimeSpan.Zero, true, $"crash loop: {ConsecutiveFailures} failed runs in a row (limit {Policy.MaxRetries} retries); last: {outcome}");

        Restarts++;
        var delay = Backoff(Math.Max(1, ConsecutiveFailures));
        return new(true, delay, crashLoop, crashLoop
            ? $"crash loop: {ConsecutiveFailures} failed runs in a row; retrying in {delay.TotalMilliseconds:F0} ms; last: {outcome}"
            : $"restarting in {delay.TotalMilliseconds:F0} ms after: {outcome}");
    }

    /// <summary>initial × multiplier^(n-1), capped at the maximum.</summary>
    public TimeSpan Backoff(int failures)
    {
        double ms = Math.Max(0, Policy.BackoffInitialMs);
        for (var i = 1; i < failures && ms < Policy.BackoffMaxMs; i++) ms = ms * Policy.BackoffMultiplierPercent / 100.0;
        return TimeSpan.FromMilliseconds(Math.Min(ms, Math.Max(Policy.BackoffMaxMs, Policy.BackoffInitialMs)));
    }
}
