using System.Diagnostics;

namespace AtymSecure.Primitives;

/// <summary>
/// Blocking waits on any <see cref="TimeProvider"/>, so code that sleeps (a container's slice interval, a
/// supervisor's backoff, a health trial's probe interval) runs on real time in a device and on a
/// <see cref="VirtualClock"/> or a test's fake provider elsewhere, through the provider's own timer.
/// </summary>
public static class TimeProviderSleep
{
    /// <summary>Waits <paramref name="delay"/> of <paramref name="clock"/>'s time.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancel"/> was cancelled before or during the wait.</exception>
    public static void Sleep(this TimeProvider clock, TimeSpan delay, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(clock);
        cancel.ThrowIfCancellationRequested();
        if (delay <= TimeSpan.Zero)
        {
            // A zero wait is still a scheduling point (a guest's sched_yield).
            Thread.Yield();
            return;
        }
        if (ReferenceEquals(clock, TimeProvider.System))
        {
            // Real time waits with a timeout, not for a timer: timer callbacks run on the thread pool, and a pool taken
            // up by blocking work (eight simulated devices' trials on two cores) fired them seconds late — a probe
            // interval of 1 s became 4 s and a good release failed its trial.
            WaitOut(delay, cancel);
            return;
        }
        using var elapsed = new ManualResetEventSlim();
        using (clock.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), elapsed, delay, Timeout.InfiniteTimeSpan))
            elapsed.Wait(cancel);
    }

    private static void WaitOut(TimeSpan delay, CancellationToken cancel)
    {
        // Never set: only the timeout or the cancellation ends a wait. One wait takes at most int.MaxValue ms (24.8 days),
        // so longer delays wait in parts.
        using var never = new ManualResetEventSlim();
        var started = Stopwatch.GetTimestamp();
        for (var left = delay; left > TimeSpan.Zero; left = delay - Stopwatch.GetElapsedTime(started))
            never.Wait(left < MaxWait ? left : MaxWait, cancel);
    }

    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(int.MaxValue);
}
