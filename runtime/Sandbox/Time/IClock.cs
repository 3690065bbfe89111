using System.Runtime.CompilerServices;

namespace AtymSecure.Runtime.Time;

/// <summary>
/// Monotonic time and waiting, behind an interface so tests and fleet simulation run on virtual time
/// (no real sleeping in unit tests).
/// </summary>
public interface IClock
{
    /// <summary>Monotonic time since an arbitrary origin.</summary>
    TimeSpan Now { get; }

    /// <summary>Waits <paramref name="delay"/> of this clock's time; throws <see cref="OperationCanceledException"/> when cancelled.</summary>
    void Sleep(TimeSpan delay, CancellationToken cancel);
}

/// <summary>Real monotonic time.</summary>
public sealed class SystemClock : IClock
{
    private readonly long _origin = System.Diagnostics.Stopwatch.GetTimestamp();

    public static SystemClock Instance { get; } = new();

    public TimeSpan Now => System.Diagnostics.Stopwatch.GetElapsedTime(_origin);

    public void Sleep(TimeSpan delay, CancellationToken cancel)
    {
        if (delay <= TimeSpan.Zero) { cancel.ThrowIfCancellationRequested(); return; }
        if (cancel.WaitHandle.WaitOne(delay)) throw new OperationCanceledException(cancel);
    }
}

/// <summary>
/// Virtual time for tests and simulation: every thread has its own timeline. <see cref="Sleep"/> returns at
/// once and moves only the calling thread's time forward, so a container's sleeps, the supervisor's backoff
/// and a health trial's probe interval each advance their own actor's time, deterministically, however the
/// OS schedules the threads. <see cref="Advance"/> moves every timeline (e.g. "an hour passes").
/// </summary>
public sealed class VirtualClock : IClock, IDisposable
{
    // Per-thread offsets, keyed by the thread object and dropped with it. Not a ThreadLocal: that throws
    // once disposed, which would crash a container thread that outlives the device owning this clock.
    private readonly ConditionalWeakTable<Thread, StrongBox<long>> _own = new();
    private long _baseTicks;

    public VirtualClock(TimeSpan start = default) => _baseTicks = start.Ticks;

    public TimeSpan Now => TimeSpan.FromTicks(Interlocked.Read(ref _baseTicks) + Own.Value);

    private StrongBox<long> Own => _own.GetValue(Thread.CurrentThread, static _ => new StrongBox<long>(0));

    public void Sleep(TimeSpan delay, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        if (delay > TimeSpan.Zero) Own.Value += delay.Ticks;
        // Let other threads run, as a real sleep would.
        Thread.Yield();
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _baseTicks, by.Ticks);
    }

    /// <summary>Nothing to release (timelines go with their threads); the clock keeps working for threads still running.</summary>
    public void Dispose()
    {
    }
}
