using AtymSecure.Runtime.Time;

namespace AtymSecure.Runtime.Tests.Execution;

/// <summary>The per-thread virtual clock the supervisor's backoff and the container sleeps run on in tests.</summary>
public sealed class VirtualClockTests
{
    [Fact]
    public void Sleep_moves_only_the_calling_thread_and_Advance_moves_every_thread()
    {
        using var clock = new VirtualClock(TimeSpan.FromSeconds(100));
        clock.Sleep(TimeSpan.FromSeconds(3), CancellationToken.None);
        var other = OnAnotherThread(() =>
        {
            var before = clock.Now;
            clock.Sleep(TimeSpan.FromSeconds(1), CancellationToken.None);
            return (before, clock.Now);
        });
        Assert.Equal((TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(101)), other);
        Assert.Equal(TimeSpan.FromSeconds(103), clock.Now);

        clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(113), clock.Now);
        Assert.Equal(TimeSpan.FromSeconds(110), OnAnotherThread(() => clock.Now));
    }

    [Fact]
    public void A_thread_still_running_after_Dispose_keeps_its_time()
    {
        // A container thread that outlives its test device must not die on a disposed clock.
        var clock = new VirtualClock();
        clock.Dispose();
        clock.Sleep(TimeSpan.FromSeconds(2), CancellationToken.None);
        Assert.Equal(TimeSpan.FromSeconds(2), clock.Now);
        Assert.Throws<OperationCanceledException>(() => clock.Sleep(TimeSpan.FromSeconds(1), new CancellationToken(canceled: true)));
    }

    private static T OnAnotherThread<T>(Func<T> work)
    {
        T result = default!;
        var thread = new Thread(() => result = work());
        thread.Start();
        thread.Join();
        return result;
    }
}
