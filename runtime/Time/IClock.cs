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
/// Virtual time: <see cref="Sleep"/> returns at once and moves the clock forward by the delay, so code
/// that waits for seconds runs in microseconds and deterministically. <see cref="Advance"/> moves it by hand.
/// </summary>
public sealed class VirtualClock : IClock
{
    private long _ticks;

    public VirtualClock(TimeSpan start = default) => _ticks = start.Ticks;

    public TimeSpan Now => TimeSpan.FromTicks(Interlocked.Read(ref _ticks));

    public void Sleep(TimeSpan delay, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        if (delay > TimeSpan.Zero) Interlocked.Add(ref _ticks, delay.Ticks);
        // Let other container threads run, as a real sleep would.
        Thread.Yield();
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _ticks, by.Ticks);
    }
}
