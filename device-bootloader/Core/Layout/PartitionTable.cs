using AtymSecure.Formats.Container;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Layout;

/// <summary>
/// Where everything lives on one device: sector 0 holds this table, two state halves hold the
/// append-only state log, and every container has an A and a B slot. Immutable after provisioning.
/// </summary>
public sealed class PartitionTable : IEquatable<PartitionTable>
{
    /// <summary>Most containers one device table can describe.</summary>
    public const int MaxContainers = 40;

    /// <summary>Width of the name field of an entry (bytes of ASCII); <see cref="ContainerName.MaxLength"/> is this limit.</summary>
    public const int MaxNameLength = 32;

    public PartitionTable(IReadOnlyList<Partition> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = entries.ToArray();
        ContainerNames = Entries.Where(e => e.Kind == PartitionKind.SlotA).Select(e => e.ContainerName).ToArray();
    }

    public IReadOnlyList<Partition> Entries { get; }

    /// <summary>Container names in table order; a container's index here is its id in state records.</summary>
    public IReadOnlyList<string> ContainerNames { get; }

    /// <summary>By value: the same entries in the same order (the order is the containers' ids).</summary>
    public bool Equals(PartitionTable? other) => other is not null && ValueEquality.Lists(Entries, other.Entries);

    public override bool Equals(object? obj) => Equals(obj as PartitionTable);

    public override int GetHashCode() => ValueEquality.ListHash(Entries);

    public Partition StateHalf(int half) =>
        Entries.Single(e => e.Kind == (half == 0 ? PartitionKind.StateHalf0 : PartitionKind.StateHalf1));

    public Partition Slot(string container, SlotId slot)
    {
        var kind = slot == SlotId.A ? PartitionKind.SlotA : slot == SlotId.B ? PartitionKind.SlotB
            : throw new ArgumentOutOfRangeException(nameof(slot), slot, "slot must be A or B");
        return Entries.FirstOrDefault(e => e.Kind == kind && e.ContainerName == container)
            ?? throw new KeyNotFoundException($"no container '{container}' in the partition table");
    }

    public int ContainerIndex(string container)
    {
        for (var i = 0; i < ContainerNames.Count; i++)
            if (ContainerNames[i] == container) return i;
        return -1;
    }

    /// <summary>
    /// Every problem that makes this table unusable on <paramref name="geometry"/> (empty = valid), each with a
    /// <see cref="PartitionTableProblemCodes"/> code and the path of the entry at fault (<c>entries[2].offset</c>) or <c>entries</c>.
    /// </summary>
    public IReadOnlyList<Problem> Validate(FlashGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var problems = new List<Problem>();
        void Add(string code, string path, string message) => problems.Add(new Problem(code, path, message));
        var tableEnd = geometry.SectorSize(0);
        for (var i = 0; i < Entries.Count; i++)
        {
            var e = Entries[i];
            var at = $"entries[{i}]";
            var what = $"{e.Kind} '{e.ContainerName}'";
            if (!Enum.IsDefined(e.Kind)) Add(PartitionTableProblemCodes.UnknownKind, $"{at}.kind", $"{what}: unknown kind {(byte)e.Kind}");
            if (e.Size <= 0) Add(PartitionTableProblemCodes.EmptyPartition, $"{at}.size", $"{what}: size {e.Size} is not positive");
            else if (e.Offset < tableEnd || e.End > geometry.TotalSize)
                Add(PartitionTableProblemCodes.OutsideFlash, $"{at}.offset", $"{what}: range [0x{e.Offset:X}, 0x{e.End:X}) is outside [0x{tableEnd:X}, 0x{geometry.TotalSize:X})");
            else if (!geometry.IsSectorBoundary(e.Offset) || !geometry.IsSectorBoundary(e.End))
                Add(PartitionTableProblemCodes.NotSectorAligned, $"{at}.offset", $"{what}: range [0x{e.Offset:X}, 0x{e.End:X}) does not start and end on sector boundaries");
            if (e.IsSlot && ContainerName.Check(e.ContainerName, $"{at}.containerName") is { } name)
                problems.Add(name with { Message = $"{what}: container name {name.Message}" });
            if (!e.IsSlot && e.ContainerName.Length != 0)
                Add(PartitionTableProblemCodes.NamedStateHalf, $"{at}.containerName", $"{what}: a state half has no container name");
        }

        var sorted = Entries.Select((e, i) => (Entry: e, Index: i)).Where(x => x.Entry.Size > 0).OrderBy(x => x.Entry.Offset).ToArray();
        for (var i = 1; i < sorted.Length; i++)
            if (sorted[i].Entry.Offset < sorted[i - 1].Entry.End)
                Add(PartitionTableProblemCodes.Overlap, $"entries[{sorted[i].Index}].offset", $"{sorted[i - 1].Entry} overlaps {sorted[i].Entry}");

        foreach (var kind in new[] { PartitionKind.StateHalf0, PartitionKind.StateHalf1 })
        {
            var n = Entries.Count(e => e.Kind == kind);
            if (n != 1) Add(PartitionTableProblemCodes.StateHalfCount, "entries", $"table has {n} {kind} entries, expected exactly 1");
        }

        var names = Entries.Where(e => e.IsSlot).Select(e => e.ContainerName).Distinct(StringComparer.Ordinal).ToArray();
        if (names.Length == 0) Add(PartitionTableProblemCodes.NoContainers, "entries", "table has no container slots");
        if (names.Length > MaxContainers) Add(PartitionTableProblemCodes.TooManyContainers, "entries", $"table has {names.Length} containers, at most {MaxContainers} allowed");
        foreach (var name in names)
        {
            var a = Entries.Count(e => e.ContainerName == name && e.Kind == PartitionKind.SlotA);
            var b = Entries.Count(e => e.ContainerName == name && e.Kind == PartitionKind.SlotB);
            if (a != 1 || b != 1) Add(PartitionTableProblemCodes.SlotCount, "entries", $"container '{name}' has {a} A and {b} B slots, expected exactly one of each");
        }
        return problems;
    }
}
