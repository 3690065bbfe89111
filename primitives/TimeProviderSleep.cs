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
        using var elapsed = new ManualResetEventSlim();
        using (clock.CreateTimer(static s => ((ManualResetEventSlim)s!).Set(), elapsed, delay, Timeout.InfiniteTimeSpan))
            elapsed.Wait(cancel);
    }
}
