using AtymSecure.Primitives;

namespace AtymSecure.Runtime.Tests.Support;

/// <summary>
/// Virtual time, except that a timer of exactly <c>held</c> never fires: a sleep of that length lasts until it
/// is cancelled. Holds a supervisor inside its restart backoff (given that backoff) so a test can act
/// "between runs" deterministically; stopping the container cancels the sleep.
/// </summary>
internal sealed class HoldingClock(VirtualClock inner, TimeSpan held) : TimeProvider, IDisposable
{
    /// <summary>Set when a sleeper reaches the held sleep.</summary>
    public ManualResetEventSlim Entered { get; } = new();

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != held) return inner.CreateTimer(callback, state, dueTime, period);
        Entered.Set();
        return new NeverFiring();
    }

    public void Dispose() => Entered.Dispose();

    private sealed class NeverFiring : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => false;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
