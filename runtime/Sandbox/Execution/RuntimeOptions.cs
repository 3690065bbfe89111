namespace AtymSecure.Runtime.Execution;

/// <summary>Device-wide runtime settings that are not part of any container's config.</summary>
public sealed record RuntimeOptions
{
    /// <summary>Epoch tick period for engines using epoch interruption.</summary>
    public TimeSpan EpochTick { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Fuel engines (plain Wasm compiled on the device) turn a container's <c>cpuBudgetMs</c> into fuel at this
    /// rate: about one Wasm instruction per nanosecond, so the budget is deterministic and close to the time.
    /// </summary>
    public long FuelPerMillisecond { get; init; } = 1_000_000;

    public ulong FuelFor(int cpuBudgetMs) => (ulong)Math.Max(1, (long)Math.Max(1, cpuBudgetMs) * FuelPerMillisecond);

    /// <summary>Epoch engines turn <c>cpuBudgetMs</c> into ticks: rounded up, plus one (the first tick may come at once).</summary>
    public ulong EpochTicksFor(int cpuBudgetMs) => EpochTicksFor(TimeSpan.FromMilliseconds(Math.Max(1, cpuBudgetMs)));

    public ulong EpochTicksFor(TimeSpan budget)
    {
        var tickMs = Math.Max(1, EpochTick.TotalMilliseconds);
        return (ulong)Math.Ceiling(Math.Max(0, budget.TotalMilliseconds) / tickMs) + 1;
    }

    /// <summary>A run at least this long resets restart backoff and crash-loop counting.</summary>
    public TimeSpan StableRun { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed short runs in a row that count as a crash loop.</summary>
    public int CrashLoopThreshold { get; init; } = 5;
}
