using System.Runtime.CompilerServices;

namespace AtymSecure.Primitives;

/// <summary>
/// Virtual time for tests and simulation, as a <see cref="TimeProvider"/>: every thread has its own timeline.
/// A sleep (<see cref="TimeProviderSleep.Sleep"/> on this clock) returns at once and
/// moves only the calling thread's time forward, so a container's sleeps, the supervisor's backoff and a
/// health trial's probe interval each advance their own actor's time, deterministically, however the OS
/// schedules the threads. <see cref="Advance"/> moves every timeline (e.g. "an hour passes").
/// </summary>
/// <remarks>
/// There is no scheduler behind it, so a timer cannot wait for other threads to reach its due time: a one-shot
/// timer fires at once on the thread that creates (or changes) it, after moving that thread's timeline to its
/// due time — exactly what a thread that then waits for the timer would have seen. Periodic timers are refused.
/// Timestamps tick in <see cref="TimeSpan"/> ticks from the start given to the constructor; the wall clock is
/// <c>epoch + timestamp</c> and the local zone is UTC, so nothing depends on the machine.
/// </remarks>
public sealed class VirtualClock : TimeProvider
{
    // Per-thread offsets, keyed by the thread object and dropped with it. Not a ThreadLocal: that throws
    // once disposed, which would crash a container thread that outlives the device owning this clock.
    private readonly ConditionalWeakTable<Thread, StrongBox<long>> _own = new();
    private readonly DateTimeOffset _epoch;
    private long _baseTicks;

    /// <param name="start">Every timeline's starting point (the timestamp at start, in ticks).</param>
    /// <param name="epoch">The wall-clock time at timestamp zero (default: the Unix epoch).</param>
    public VirtualClock(TimeSpan start = default, DateTimeOffset? epoch = null)
    {
        _baseTicks = start.Ticks;
        _epoch = epoch ?? DateTimeOffset.UnixEpoch;
    }

    /// <summary>The calling thread's time since timestamp zero.</summary>
    public TimeSpan Now => TimeSpan.FromTicks(GetTimestamp());

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Interlocked.Read(ref _baseTicks) + Own.Value;

    public override DateTimeOffset GetUtcNow() => _epoch + Now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    private StrongBox<long> Own => _own.GetValue(Thread.CurrentThread, static _ => new StrongBox<long>(0));

    /// <summary>Moves every thread's time forward.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _baseTicks, by.Ticks);
    }

    /// <exception cref="NotSupportedException">A periodic timer (no scheduler could space its ticks).</exception>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new FiringTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void PassOnThisThread(TimeSpan delay)
    {
        Own.Value += delay.Ticks;
        // Let other threads run, as a real sleep would.
        Thread.Yield();
    }

    /// <summary>Fires on the thread that arms it, after that thread's time reached the due time.</summary>
    private sealed class FiringTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        private bool _disposed;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero)
                throw new NotSupportedException("virtual time fires one-shot timers only; a periodic timer needs a scheduler");
            if (_disposed) return false;
            if (dueTime == Timeout.InfiniteTimeSpan) return true;
            ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
            clock.PassOnThisThread(dueTime);
            callback(state);
            return true;
        }

        public void Dispose() => _disposed = true;

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
