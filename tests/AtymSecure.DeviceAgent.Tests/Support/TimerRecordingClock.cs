using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// A fake clock (time moves only when the test advances it) that hands the test the due time of every one-shot timer
/// made on it, in order: a loop's <c>Task.Delay(wait, clock)</c> shows the exact wait it chose, and stays parked until
/// the test advances the clock past it.
/// </summary>
internal sealed class TimerRecordingClock(DateTimeOffset start) : TimeProvider
{
    private readonly FakeTimeProvider _time = new(start);
    private readonly ConcurrentQueue<TimeSpan> _timers = new();
    private readonly SemaphoreSlim _made = new(0);

    public override DateTimeOffset GetUtcNow() => _time.GetUtcNow();

    public override long GetTimestamp() => _time.GetTimestamp();

    public override long TimestampFrequency => _time.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public void Advance(TimeSpan by) => _time.Advance(by);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = _time.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan && dueTime != Timeout.InfiniteTimeSpan)
        {
            _timers.Enqueue(dueTime);
            _made.Release();
        }
        return timer;
    }

    /// <summary>The due time of the next one-shot timer made (waits up to 60 s of real time for it).</summary>
    public async Task<TimeSpan> NextTimerAsync()
    {
        if (!await _made.WaitAsync(TimeSpan.FromSeconds(60))) throw new TimeoutException("no timer was made on the clock");
        return _timers.TryDequeue(out var due) ? due : throw new InvalidOperationException("a timer was signalled but not queued");
    }

    /// <summary>Timers made and not yet taken by <see cref="NextTimerAsync"/>.</summary>
    public int Pending => _made.CurrentCount;
}
