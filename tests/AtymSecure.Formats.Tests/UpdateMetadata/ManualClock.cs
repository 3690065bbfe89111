namespace AtymSecure.Formats.Tests.UpdateMetadata;

/// <summary>A clock the test moves by hand (tests never sleep to let metadata expire).</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;
}
