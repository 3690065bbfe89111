using AtymSecure.Runtime.Time;

namespace AtymSecure.Runtime.Tests.Support;

/// <summary>
/// Virtual time, except that a sleep of exactly <c>held</c> blocks until <see cref="Release"/> is set or the
/// sleep is cancelled: holds a supervisor inside its restart backoff (given that backoff) so a test can act
/// "between runs" deterministically.
/// </summary>
internal sealed class HoldingClock(VirtualClock inner, TimeSpan held) : IClock, IDisposable
{
    /// <summary>Set when a sleeper reaches the held sleep.</summary>
    public ManualResetEventSlim Entered { get; } = new();

    public ManualResetEventSlim Release { get; } = new();

    public TimeSpan Now => inner.Now;

    public void Sleep(TimeSpan delay, CancellationToken cancel)
    {
        if (delay == held)
        {
            Entered.Set();
            Release.Wait(cancel);
        }
        inner.Sleep(delay, cancel);
    }

    public void Dispose()
    {
        Release.Set();
        Entered.Dispose();
        Release.Dispose();
    }
}
