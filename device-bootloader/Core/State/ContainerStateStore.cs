using AtymSecure.Bootloader.Layout;

namespace AtymSecure.Bootloader.State;

/// <summary>Per-container view over the state log: the newest record of each container by name or index.</summary>
public sealed class ContainerStateStore
{
    private readonly StateLog _log;

    public ContainerStateStore(PartitionTable table, StateLog log)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(log);
        Table = table;
        _log = log;
    }

    public PartitionTable Table { get; }

    public StateLog Log => _log;

    public ContainerRecord Get(int index) => _log.Latest(index) ?? ContainerRecord.Empty(index);

    public ContainerRecord Get(string container)
    {
        var index = Table.ContainerIndex(container);
        if (index < 0) throw new KeyNotFoundException($"no container '{container}' on this device");
        return Get(index);
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
