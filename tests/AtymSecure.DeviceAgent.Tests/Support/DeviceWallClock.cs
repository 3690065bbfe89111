namespace AtymSecure.DeviceAgent.Tests.Support;

/// <summary>
/// A device's clock for tests that need days or years to pass, or an RTC that is wrong, without sleeping: real time plus
/// two offsets. <see cref="Pass"/> moves both the wall clock and the monotonic uptime on (time went by while the device
/// ran); <see cref="SetWall"/> sets only the wall clock (an RTC reset to 1970, a clock far ahead), as a power cut with a
/// flat RTC battery would. Timers still run on real time, so polling and backoff keep their pace.
/// </summary>
internal sealed class DeviceWallClock : TimeProvider
{
    private readonly Lock _gate = new();
    private TimeSpan _wall;
    private TimeSpan _uptime;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate) return System.GetUtcNow() + _wall + _uptime;
    }

    public override long GetTimestamp()
    {
        lock (_gate) return System.GetTimestamp() + (long)(_uptime.TotalSeconds * System.TimestampFrequency);
    }

    public override long TimestampFrequency => System.TimestampFrequency;

    /// <summary><paramref name="span"/> goes by: the wall clock and the uptime both move on.</summary>
    public void Pass(TimeSpan span)
    {
        lock (_gate) _uptime += span;
    }

    /// <summary>The RTC now reads <paramref name="wall"/>; uptime is unchanged.</summary>
    public void SetWall(DateTimeOffset wall)
    {
        lock (_gate) _wall = wall - (System.GetUtcNow() + _uptime);
    }
}
