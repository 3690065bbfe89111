namespace AtymSecure.Runtime.Execution;

/// <summary>Where a container's Wasm store lives (docs/device-api.md, "Process mode").</summary>
public enum ContainerIsolation
{
    /// <summary>Process mode on Linux-class devices (<c>linux-*</c>) running on Linux; in-process everywhere else.</summary>
    Auto,

    /// <summary>Every container on a thread of the device process (MCU classes, fleet simulation, tools).</summary>
    InProcess,

    /// <summary>
    /// Every container in its own OS process (<c>AtymSecure.ContainerHost</c>) supervised by the agent over the IPC
    /// protocol (docs/container-ipc.md): a native fault, an engine bug or an <c>exit</c> syscall ends that container only.
    /// </summary>
    Process,
}

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

    /// <summary>
    /// Engines shared with other runtimes in this process (a fleet simulation: one engine per class and stack limit for every
    /// simulated device, and one epoch ticker); null = the runtime makes and disposes its own. The owner disposes a shared cache
    /// after every runtime using it. Its <see cref="EngineCache.EpochTick"/> must equal <see cref="EpochTick"/> (budgets are counted in ticks).
    /// </summary>
    public EngineCache? SharedEngines { get; init; }

    /// <summary>In-process or one process per container; <see cref="ContainerIsolation.Auto"/> decides by device class.</summary>
    public ContainerIsolation Isolation { get; init; } = ContainerIsolation.Auto;

    /// <summary>The container host (<c>AtymSecure.ContainerHost.dll</c> or its apphost); null = found beside the agent (Isolation/ContainerHostLocator).</summary>
    public string? ContainerHostPath { get; init; }

    /// <summary>How often a container process says it is alive (while its container makes progress).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A container process silent this long is killed; the run counts as trapped ("stopped answering").</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a container process may take to end after a stop request before it is killed.</summary>
    public TimeSpan ProcessStopGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The isolation this runtime uses for <paramref name="profile"/>.</summary>
    public ContainerIsolation ResolveIsolation(Engines.EngineProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Isolation switch
        {
            ContainerIsolation.Auto => profile.DeviceClass.StartsWith("linux-", StringComparison.Ordinal) && OperatingSystem.IsLinux()
                ? ContainerIsolation.Process
                : ContainerIsolation.InProcess,
            var explicitChoice => explicitChoice,
        };
    }
}
