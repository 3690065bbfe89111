using AtymSecure.DeviceAgent.Trust;

namespace AtymSecure.DeviceAgent.Tests.Trust;

/// <summary>The time floor advanced by monotonic uptime (docs/trust-model.md §9): never backwards, never from the wall clock.</summary>
public class UptimeTimeFloorTests
{
    private static readonly DateTimeOffset Stored = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A wall clock and a monotonic clock the test moves apart.</summary>
    private sealed class TwoClocks : TimeProvider
    {
        public DateTimeOffset Wall { get; set; } = Stored;

        public long Ticks { get; set; } = 1_000_000;

        public override DateTimeOffset GetUtcNow() => Wall;

        public override long GetTimestamp() => Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public void Run(TimeSpan span) => Ticks += span.Ticks;
    }

    [Fact]
    public void The_floor_grows_with_uptime_from_the_stored_one_and_is_due_for_a_write_after_an_hour()
    {
        var clocks = new TwoClocks();
        var floor = new UptimeTimeFloor(clocks);
        Assert.Equal(Stored, floor.Advance(Stored));

        clocks.Run(TimeSpan.FromMinutes(59));
        Assert.Equal(Stored + TimeSpan.FromMinutes(59), floor.Advance(Stored));
        Assert.False(floor.DueToPersist(Stored));
        clocks.Run(TimeSpan.FromMinutes(1));
        Assert.True(floor.DueToPersist(Stored));

        // Written: the stored floor caught up, and the next hour counts from there.
        var written = floor.Advance(Stored);
        Assert.False(floor.DueToPersist(written));
        Assert.Equal(Stored + TimeSpan.FromHours(1), written);
    }

    [Fact]
    public void The_wall_clock_does_not_move_it_and_a_higher_stored_floor_becomes_the_new_anchor()
    {
        var clocks = new TwoClocks();
        var floor = new UptimeTimeFloor(clocks);
        floor.Advance(Stored);
        clocks.Wall = DateTimeOffset.UnixEpoch; // an RTC reset
        clocks.Run(TimeSpan.FromHours(2));
        Assert.Equal(Stored + TimeSpan.FromHours(2), floor.Advance(Stored));

        // A successful cycle stored a later floor (a correct clock): uptime counts on from it.
        var success = Stored + TimeSpan.FromDays(3);
        Assert.Equal(success, floor.Advance(success));
        clocks.Run(TimeSpan.FromHours(1));
        Assert.Equal(success + TimeSpan.FromHours(1), floor.Advance(success));
        // An older stored value (a state written before) never pulls it back.
        Assert.Equal(success + TimeSpan.FromHours(1), floor.Advance(Stored));
    }
}
