using AtymSecure.Bootloader.Layout;

namespace AtymSecure.Bootloader.State;

/// <summary>
/// Per-container view over the state log and the write-once counter store: the newest record of each container by
/// name or index, with its security floor lifted to the counter store's (effective floor = max(log, store)), so every
/// check that reads a floor — install, boot fallback, status — sees the one that cannot go backwards. A v1 table has
/// no counter store and its floors are the log's alone.
/// </summary>
public sealed class ContainerStateStore
{
    private readonly StateLog _log;
    private readonly SecurityCounterReading?[] _counters;

    public ContainerStateStore(PartitionTable table, StateLog log, SecurityCounterStore? counters = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(log);
        Table = table;
        _log = log;
        Counters = counters;
        _counters = new SecurityCounterReading?[table.ContainerNames.Count];
    }

    public PartitionTable Table { get; }

    public StateLog Log => _log;

    /// <summary>The write-once counter store, or null on a v1 table (floors in the log only).</summary>
    public SecurityCounterStore? Counters { get; }

    /// <summary>The container's counter entries (read once per power-on, refreshed by <see cref="RaiseFloor"/>); null without a store.</summary>
    public SecurityCounterReading? Counter(int index)
    {
        if (Counters is null) return null;
        return _counters[index] ??= Counters.Read(index);
    }

    /// <summary>The newest record as the log holds it, floor not lifted (what the log alone says).</summary>
    public ContainerRecord Logged(int index) => _log.Latest(index) ?? ContainerRecord.Empty(index);

    /// <summary>The newest record with the effective security floor.</summary>
    public ContainerRecord Get(int index)
    {
        var logged = Logged(index);
        return Counter(index) is { } c && c.Floor > logged.SecurityFloor ? logged with { SecurityFloor = c.Floor } : logged;
    }

    public ContainerRecord Get(string container)
    {
        var index = Table.ContainerIndex(container);
        if (index < 0) throw new KeyNotFoundException($"no container '{container}' on this device");
        return Get(index);
    }

    /// <summary>
    /// Makes <paramref name="floor"/> the container's floor in the counter store (one write-once entry, synced) when it
    /// is above the store's; a no-op without a store or when the store already holds it.
    /// </summary>
    /// <exception cref="SecurityCounterExhaustedException">The container's entries are used up; nothing was written.</exception>
    public void RaiseFloor(int index, uint floor)
    {
        if (Counter(index) is not { } c || floor <= c.Floor) return;
        try
        {
            Counters!.Bump(index, floor);
        }
        finally
        {
            // A cut or a failed bump may still have used entries: read them again.
            _counters[index] = null;
        }
    }

    /// <summary>Appends the record unless it equals the current one (no-op transitions cost no flash writes).</summary>
    public bool Commit(ContainerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Get(record.ContainerIndex) == record) return false;
        _log.Append(record);
        return true;
    }
}
