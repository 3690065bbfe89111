namespace AtymSecure.Bootloader.Tests.Support;

/// <summary>A clock that always says the same time (expiry tests are deterministic).</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
