namespace AtymSecure.Runtime.Execution;

/// <summary>Device-wide runtime settings that are not part of any container's config.</summary>
public sealed record RuntimeOptions
{
    /// <summary>Epoch tick period for engines using epoch interruption.</summary>
    public TimeSpan EpochTick { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// With epoch engines a container's <c>fuelPerSlice</c> becomes a deadline in ticks: this much fuel per tick
    /// (about 10 ms of Wasm at ~1 instruction per ns). At least 2 ticks, since the first may come at once.
    /// </summary>
    public long FuelPerEpochTick { get; init; } = 10_000_000;

    public ulong EpochTicksFor(long fuelPerSlice) =>
        (ulong)Math.Max(2, (fuelPerSlice + FuelPerEpochTick - 1) / Math.Max(1, FuelPerEpochTick));

    /// <summary>A run at least this long resets restart backoff and crash-loop counting.</summary>
    public TimeSpan StableRun { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed short runs in a row that count as a crash loop.</summary>
    public int CrashLoopThreshold { get; init; } = 5;
}
