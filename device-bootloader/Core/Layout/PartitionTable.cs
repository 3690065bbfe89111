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

    /// <summary>Every problem that makes this table unusable on <paramref name="geometry"/> (empty = valid).</summary>
    public IReadOnlyList<string> Validate(FlashGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        var problems = new List<string>();
        var tableEnd = geometry.SectorSize(0);
        for (var i = 0; i < Entries.Count; i++)
        {
            var e = Entries[i];
            var at = $"entries[{i}] ({e.Kind} '{e.ContainerName}')";
            if (!Enum.IsDefined(e.Kind)) problems.Add($"{at}: unknown kind {(byte)e.Kind}");
            if (e.Size <= 0) problems.Add($"{at}: size {e.Size} is not positive");
            else if (e.Offset < tableEnd || e.End > geometry.TotalSize)
                problems.Add($"{at}: range [0x{e.Offset:X}, 0x{e.End:X}) is outside [0x{tableEnd:X}, 0x{geometry.TotalSize:X})");
            else if (!geometry.IsSectorBoundary(e.Offset) || !geometry.IsSectorBoundary(e.End))
                problems.Add($"{at}: range [0x{e.Offset:X}, 0x{e.End:X}) does not start and end on sector boundaries");
            if (e.IsSlot && ContainerName.Check(e.ContainerName, "name") is { } name)
                problems.Add($"{at}: container name {name.Message}");
            if (!e.IsSlot && e.ContainerName.Length != 0)
                problems.Add($"{at}: a state half has no container name");
        }

        var sorted = Entries.Where(e => e.Size > 0).OrderBy(e => e.Offset).ToArray();
        for (var i = 1; i < sorted.Length; i++)
            if (sorted[i].Offset < sorted[i - 1].End)
                problems.Add($"{sorted[i - 1]} overlaps {sorted[i]}");

        foreach (var kind in new[] { PartitionKind.StateHalf0, PartitionKind.StateHalf1 })
        {
            var n = Entries.Count(e => e.Kind == kind);
            if (n != 1) problems.Add($"table has {n} {kind} entries, expected exactly 1");
        }

        var names = Entries.Where(e => e.IsSlot).Select(e => e.ContainerName).Distinct(StringComparer.Ordinal).ToArray();
        if (names.Length == 0) problems.Add("table has no container slots");
        if (names.Length > MaxContainers) problems.Add($"table has {names.Length} containers, at most {MaxContainers} allowed");
        foreach (var name in names)
        {
            var a = Entries.Count(e => e.ContainerName == name && e.Kind == PartitionKind.SlotA);
            var b = Entries.Count(e => e.ContainerName == name && e.Kind == PartitionKind.SlotB);
            if (a != 1 || b != 1) problems.Add($"container '{name}' has {a} A and {b} B slots, expected exactly one of each");
        }
        return problems;
    }
}
