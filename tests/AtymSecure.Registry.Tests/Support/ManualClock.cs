namespace AtymSecure.Registry.Tests.Support;

/// <summary>A clock tests move by hand (expiry and grace periods without waiting).</summary>
public sealed class ManualClock : TimeProvider
{
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
