namespace AtymSecure.Primitives.Tests;

/// <summary>The per-thread virtual clock the supervisor's backoff, the container sleeps and the health trials run on in tests.</summary>
public sealed class VirtualClockTests
{
    [Fact]
    public void Sleep_moves_only_the_calling_thread_and_Advance_moves_every_thread()
    {
        var clock = new VirtualClock(TimeSpan.FromSeconds(100));
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
    public void A_cancelled_sleep_throws_and_no_time_passes()
    {
        var clock = new VirtualClock();
        Assert.Throws<OperationCanceledException>(() => clock.Sleep(TimeSpan.FromSeconds(1), new CancellationToken(canceled: true)));
        Assert.Equal(TimeSpan.Zero, clock.Now);
    }

    [Fact]
    public void Timestamps_elapsed_time_and_the_wall_clock_follow_the_calling_threads_timeline()
    {
        var epoch = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        TimeProvider clock = new VirtualClock(TimeSpan.FromSeconds(5), epoch);
        var start = clock.GetTimestamp();
        clock.Sleep(TimeSpan.FromMilliseconds(1500), CancellationToken.None);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), clock.GetElapsedTime(start));
        Assert.Equal(epoch.AddSeconds(6.5), clock.GetUtcNow());
        Assert.Equal(TimeZoneInfo.Utc, clock.LocalTimeZone);
        Assert.Equal(epoch.AddSeconds(5), OnAnotherThread(clock.GetUtcNow));
    }

    [Fact]
    public void A_one_shot_timer_fires_at_once_on_the_creating_thread_at_its_due_time()
    {
        var clock = new VirtualClock();
        var firedAt = TimeSpan.MinValue;
        using (clock.CreateTimer(_ => firedAt = clock.Now, null, TimeSpan.FromSeconds(7), Timeout.InfiniteTimeSpan))
            Assert.Equal(TimeSpan.FromSeconds(7), firedAt);
        Assert.Equal(TimeSpan.FromSeconds(7), clock.Now);
        Assert.Equal(TimeSpan.Zero, OnAnotherThread(() => clock.Now));

        // The BCL's waits built on a provider's timers work too, and are over at once.
        Assert.True(Task.Delay(TimeSpan.FromHours(1), clock).IsCompletedSuccessfully);
        Assert.Equal(TimeSpan.FromSeconds(7) + TimeSpan.FromHours(1), clock.Now);
    }

    [Fact]
    public void A_timer_without_a_due_time_never_fires_and_a_periodic_one_is_refused()
    {
        var clock = new VirtualClock();
        var fired = false;
        using (var timer = clock.CreateTimer(_ => fired = true, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan))
        {
            Assert.False(fired);
            timer.Dispose();
            Assert.False(timer.Change(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
        Assert.False(fired);
        Assert.Equal(TimeSpan.Zero, clock.Now);
        Assert.Throws<NotSupportedException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.Zero, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Sleeping_on_the_system_clock_waits_real_time_and_ends_when_cancelled()
    {
        var start = TimeProvider.System.GetTimestamp();
        TimeProvider.System.Sleep(TimeSpan.FromMilliseconds(30), CancellationToken.None);
        Assert.True(TimeProvider.System.GetElapsedTime(start) >= TimeSpan.FromMilliseconds(29));

        using var cancel = new CancellationTokenSource();
        var sleeping = Task.Run(() => TimeProvider.System.Sleep(TimeSpan.FromMinutes(10), cancel.Token));
        cancel.Cancel();
        await Assert.ThrowsAsync<OperationCanceledException>(() => sleeping);
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
