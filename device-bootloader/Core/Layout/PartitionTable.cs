using AtymSecure.Formats.Container;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.State;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Layout;

/// <summary>
/// Where everything lives on one device: sector 0 holds this table, two state halves hold the
/// append-only state log, every container has an A and a B slot, and (table v2) one write-once counter region holds
/// <see cref="CounterCapacity"/> security-counter entries per container. A v1 table has no counter region: such a
/// device keeps its floors in the state log only. Immutable after provisioning.
/// </summary>
public sealed class PartitionTable : IEquatable<PartitionTable>
{
    /// <summary>Most containers one device table can describe.</summary>
    public const int MaxContainers = 40;

    /// <summary>Width of the name field of an entry (bytes of ASCII); <see cref="ContainerName.MaxLength"/> is this limit.</summary>
    public const int MaxNameLength = 32;

    public PartitionTable(IReadOnlyList<Partition> entries, int counterCapacity = 0)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = entries.ToArray();
        ContainerNames = Entries.Where(e => e.Kind == PartitionKind.SlotA).Select(e => e.ContainerName).ToArray();
        CounterCapacity = counterCapacity;
    }

    public IReadOnlyList<Partition> Entries { get; }

    /// <summary>Security-counter entries (bumps) per container in the counter region; 0 without one (v1).</summary>
    public int CounterCapacity { get; }

    /// <summary>The write-once counter region, or null on a v1 table.</summary>
    public Partition? CounterRegion => Entries.FirstOrDefault(e => e.Kind == PartitionKind.CounterStore);

    /// <summary>The wire version this table encodes as: 2 with a counter region, else 1 (so v1 tables stay byte-identical).</summary>
    public byte Version => CounterRegion is null ? (byte)1 : (byte)2;

    /// <summary>Container names in table order; a container's index here is its id in state records.</summary>
    public IReadOnlyList<string> ContainerNames { get; }

    /// <summary>By value: the same entries in the same order (the order is the containers' ids).</summary>
    public bool Equals(PartitionTable? other) =>
        other is not null && CounterCapacity == other.CounterCapacity && ValueEquality.Lists(Entries, other.Entries);

    public override bool Equals(object? obj) => Equals(obj as PartitionTable);

    public override int GetHashCode() => HashCode.Combine(ValueEquality.ListHash(Entries), CounterCapacity);

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
                Add(e.Kind == PartitionKind.CounterStore ? PartitionTableProblemCodes.NamedCounterRegion : PartitionTableProblemCodes.NamedStateHalf,
                    $"{at}.containerName", $"{what}: a {(e.Kind == PartitionKind.CounterStore ? "counter region" : "state half")} has no container name");
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

        problems.AddRange(CounterRegionProblems(geometry));

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

    /// <summary>At most one counter region; with one, a capacity in range and room for every container's entries.</summary>
    private IEnumerable<Problem> CounterRegionProblems(FlashGeometry geometry)
    {
        var regions = Entries.Count(e => e.Kind == PartitionKind.CounterStore);
        if (regions > 1)
            yield return new(PartitionTableProblemCodes.CounterRegionCount, "entries", $"table has {regions} counter regions, expected at most 1");
        if (regions == 0)
        {
            if (CounterCapacity != 0)
                yield return new(PartitionTableProblemCodes.CounterCapacity, "counterCapacity", $"counter capacity {CounterCapacity} without a counter region");
            yield break;
        }
        if (CounterCapacity is < SecurityCounterStore.MinCapacity or > SecurityCounterStore.MaxCapacity)
        {
            yield return new(PartitionTableProblemCodes.CounterCapacity, "counterCapacity",
                $"counter capacity {CounterCapacity} is outside {SecurityCounterStore.MinCapacity}..{SecurityCounterStore.MaxCapacity} bumps per container");
            yield break;
        }
        var region = CounterRegion!;
        var needed = SecurityCounterStore.RequiredBytes(ContainerNames.Count, CounterCapacity, geometry.WriteAlignment);
        if (region.Size < needed)
            yield return new(PartitionTableProblemCodes.CounterRegionTooSmall, $"entries[{Entries.ToList().IndexOf(region)}].size",
                $"counter region of {region.Size} bytes holds fewer than {ContainerNames.Count} containers × {CounterCapacity} entries ({needed} bytes)");
    }
}
