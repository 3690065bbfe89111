using AtymSecure.Runtime.Execution;

namespace AtymSecure.Runtime.Budgets;

/// <summary>
/// The device-wide RAM budget for containers, shared by every store of one device. Wasmtime's .NET API has
/// per-store limits only (no callback on <c>memory.grow</c>), so the accountant works by reservation: when a
/// run starts it reserves the container's <c>maxMemoryBytes</c> plus the overhead of the mode it runs in
/// (<see cref="ContainerMemoryOverhead.For"/>: a process-mode container also pays for its host process);
/// if less is left, the run gets what is left and its store limit is set to that, so its later
/// <c>memory.grow</c> beyond it fails (returns -1 to the guest) while the containers that reserved first keep
/// theirs. The same sum is what the installer checks against the confirmed containers (a container that passed
/// install always gets its whole reservation unless a trial runs beside its confirmed version's peers).
/// </summary>
public sealed class DeviceMemoryAccountant
{
    private readonly Lock _lock = new();
    private long _reserved;

    public DeviceMemoryAccountant(long totalBytes) =>
        TotalBytes = totalBytes > 0 ? totalBytes : throw new ArgumentOutOfRangeException(nameof(totalBytes), totalBytes, "a memory budget must be positive");

    /// <summary>No budget beyond each container's own limit (tools and tests that run containers outside a device).</summary>
    public static DeviceMemoryAccountant Unlimited() => new(long.MaxValue);

    public long TotalBytes { get; }

    public long ReservedBytes
    {
        get { lock (_lock) return _reserved; }
    }

    /// <summary>
    /// Reserves up to <paramref name="maxMemoryBytes"/> of linear memory (whole Wasm pages) plus the per-container
    /// overhead of <paramref name="isolation"/> for <paramref name="container"/>; dispose the reservation when the run ends.
    /// </summary>
    /// <exception cref="MemoryBudgetExceededException">Not even one page is left beside the overhead.</exception>
    public MemoryReservation Reserve(string container, long maxMemoryBytes, ContainerIsolation isolation)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentOutOfRangeException.ThrowIfNegative(maxMemoryBytes);
        var overhead = ContainerMemoryOverhead.For(isolation);
        lock (_lock)
        {
            var left = TotalBytes - _reserved - overhead;
            var granted = Math.Min(maxMemoryBytes, left) / ContainerMemoryOverhead.WasmPageBytes * ContainerMemoryOverhead.WasmPageBytes;
            if (granted <= 0)
                throw new MemoryBudgetExceededException(
                    $"device memory budget exhausted: {TotalBytes} bytes for containers, {_reserved} reserved by the running ones; '{container}' needs at least {overhead + ContainerMemoryOverhead.WasmPageBytes} ({isolation} mode)");
            _reserved += granted + overhead;
            return new MemoryReservation(this, granted, maxMemoryBytes, overhead);
        }
    }

    internal void Release(long granted, long overhead)
    {
        lock (_lock) _reserved -= granted + overhead;
    }
}

/// <summary>What one run holds of the device budget: <see cref="GrantedBytes"/> is its store's memory limit.</summary>
public sealed class MemoryReservation : IDisposable
{
    private readonly DeviceMemoryAccountant _owner;
    private int _released;

    internal MemoryReservation(DeviceMemoryAccountant owner, long granted, long requested, long overhead)
    {
        _owner = owner;
        GrantedBytes = granted;
        RequestedBytes = requested;
        OverheadBytes = overhead;
    }

    public long GrantedBytes { get; }

    public long RequestedBytes { get; }

    /// <summary>The per-container overhead held beside <see cref="GrantedBytes"/> (<see cref="ContainerMemoryOverhead.For"/>).</summary>
    public long OverheadBytes { get; }

    /// <summary>The device budget, not the container's own limit, caps this run.</summary>
    public bool CappedByDevice => GrantedBytes < RequestedBytes;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0) _owner.Release(GrantedBytes, OverheadBytes);
    }
}

/// <summary>A run that cannot start because the device's container memory budget is used up.</summary>
public sealed class MemoryBudgetExceededException(string message) : Exception(message);
