using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Layout;

/// <summary>A container's slot needs: both its A and B slot hold at least this many bytes.</summary>
public sealed record ContainerSlotRequest(string Name, long MaxImageBytes);

/// <summary>
/// Plans a partition table: sector 0 for the table, two state halves of at least
/// <c>stateHalfMinBytes</c> each (and at least what the state log needs for this many containers), the write-once
/// counter region with <c>counterCapacity</c> entries per container (a v2 table; <c>counterCapacity: 0</c> plans a v1
/// table without one, as tables were planned before issue 11 §2), then A and B for each container, all rounded up
/// to whole sectors. Requests are checked once, before any placement, so a
/// request no flash size could satisfy (a bad name, a duplicate, a size out of range) is refused rather than
/// searched for: <see cref="RequiredFlashSize"/> grows the part only while the plan lacks room.
/// </summary>
public static class LayoutPlanner
{
    /// <summary>Largest part a v1 table can describe (it stores the flash size and every offset in 32 bits).</summary>
    public const long MaxFlashBytes = uint.MaxValue;

    public static PartitionTable Plan(FlashGeometry geometry, IReadOnlyList<ContainerSlotRequest> containers, long stateHalfMinBytes = 4096,
        int counterCapacity = SecurityCounterStore.DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ThrowOnRequestProblems(containers, stateHalfMinBytes, counterCapacity);
        var placed = Place(geometry, containers, stateHalfMinBytes, counterCapacity);
        if (placed.Shortfall > 0)
            throw new PartitionTableException(PartitionTableProblemCodes.NoRoom, "containers", $"flash ({geometry}) has no room for {placed.Unplaced} ({placed.Shortfall} bytes short)");
        return Checked(placed.Table!, geometry);
    }

    /// <summary>
    /// Smallest part size (bytes) of <paramref name="profile"/> that fits the plan; <paramref name="writeAlignment"/>
    /// overrides the profile's as <see cref="FlashProfile.CreateGeometry"/> does (the counter region's entries are
    /// as wide as a program unit).
    /// </summary>
    /// <exception cref="PartitionTableException">The requests are invalid, or no part a v1 table can describe fits them.</exception>
    public static long RequiredFlashSize(FlashProfile profile, IReadOnlyList<ContainerSlotRequest> containers, long stateHalfMinBytes = 4096,
        int counterCapacity = SecurityCounterStore.DefaultCapacity, int? writeAlignment = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ThrowOnRequestProblems(containers, stateHalfMinBytes, counterCapacity);
        var size = containers.Sum(c => 2 * c.MaxImageBytes) + 3 * stateHalfMinBytes
            + SecurityCounterStore.RequiredBytes(containers.Count, counterCapacity, writeAlignment ?? profile.WriteAlignment);
        // Terminates: each round asks for strictly more than the last part had, and sizes are bounded.
        while (true)
        {
            if (size > MaxFlashBytes)
                throw new PartitionTableException(PartitionTableProblemCodes.PartTooLarge, "containers", $"the layout needs a part of more than {MaxFlashBytes} bytes, the most a partition table describes");
            var g = profile.CreateGeometry(size, writeAlignment);
            if (g.TotalSize < size)
                throw new PartitionTableException(PartitionTableProblemCodes.ProfileMismatch, "profile", $"flash profile {profile} made a {g.TotalSize}-byte part when asked for {size} bytes");
            var placed = Place(g, containers, stateHalfMinBytes, counterCapacity);
            if (placed.Shortfall == 0)
            {
                Checked(placed.Table!, g);
                return g.TotalSize;
            }
            size = g.TotalSize + placed.Shortfall;
        }
    }

    /// <summary>
    /// What makes the requests unplannable on any part (empty = plannable): names under the one container-name
    /// rule, duplicates, count, sizes the table's 32-bit fields can hold. Paths name the request
    /// (<c>containers[1].maxImageBytes</c>); codes are <see cref="PartitionTableProblemCodes"/>, and the container-name rule's own.
    /// </summary>
    public static IReadOnlyList<Problem> RequestProblems(IReadOnlyList<ContainerSlotRequest> containers, long stateHalfMinBytes = 4096,
        int counterCapacity = SecurityCounterStore.DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(containers);
        var problems = new List<Problem>();
        void Add(string code, string path, string message) => problems.Add(new Problem(code, path, message));
        if (containers.Count == 0) Add(PartitionTableProblemCodes.NoContainers, "containers", "a layout needs at least one container");
        if (containers.Count > PartitionTable.MaxContainers)
            Add(PartitionTableProblemCodes.TooManyContainers, "containers", $"{containers.Count} containers, a partition table holds at most {PartitionTable.MaxContainers}");
        if (stateHalfMinBytes is < 1 or > MaxFlashBytes)
            Add(PartitionTableProblemCodes.SizeOutOfRange, "stateHalfMinBytes", $"state half size {stateHalfMinBytes} is outside 1..{MaxFlashBytes}");
        if (counterCapacity != 0 && counterCapacity is < SecurityCounterStore.MinCapacity or > SecurityCounterStore.MaxCapacity)
            Add(PartitionTableProblemCodes.CounterCapacity, "counterCapacity",
                $"counter capacity {counterCapacity} is outside {SecurityCounterStore.MinCapacity}..{SecurityCounterStore.MaxCapacity} bumps per container (0: no counter store, a v1 table)");
        for (var i = 0; i < containers.Count; i++)
        {
            var c = containers[i] ?? throw new ArgumentException($"containers[{i}] is null", nameof(containers));
            if (ContainerName.Check(c.Name, $"containers[{i}].name") is { } name) problems.Add(name);
            if (c.MaxImageBytes is < 1 or > MaxFlashBytes)
                Add(PartitionTableProblemCodes.SizeOutOfRange, $"containers[{i}].maxImageBytes", $"'{c.Name}': slot size {c.MaxImageBytes} is outside 1..{MaxFlashBytes}");
        }
        foreach (var dup in containers.GroupBy(c => c.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
            Add(PartitionTableProblemCodes.DuplicateContainer, "containers", $"container '{dup.Key}' is listed {dup.Count()} times");
        if (problems.Count == 0 && containers.Sum(c => 2 * c.MaxImageBytes) + 2 * stateHalfMinBytes > MaxFlashBytes)
            Add(PartitionTableProblemCodes.PartTooLarge, "containers", $"the slots and state halves need more than {MaxFlashBytes} bytes, the most a partition table describes");
        return problems;
    }

    private static void ThrowOnRequestProblems(IReadOnlyList<ContainerSlotRequest> containers, long stateHalfMinBytes, int counterCapacity)
    {
        var problems = RequestProblems(containers, stateHalfMinBytes, counterCapacity);
        if (problems.Count > 0) throw new PartitionTableException(problems);
    }

    private static PartitionTable Checked(PartitionTable table, FlashGeometry geometry)
    {
        var problems = table.Validate(geometry);
        return problems.Count == 0 ? table : throw new PartitionTableException(problems);
    }

    /// <summary>Placement in order; when the part runs out, how many more bytes the rest would need at least.</summary>
    private static Placement Place(FlashGeometry geometry, IReadOnlyList<ContainerSlotRequest> containers, long stateHalfMinBytes, int counterCapacity)
    {
        var halfBytes = Math.Max(stateHalfMinBytes, StateLog.MinimumHalfBytes(containers.Count, geometry.WriteAlignment));
        var wanted = new List<(PartitionKind Kind, string Name, long Bytes)>
        {
            (PartitionKind.StateHalf0, "", halfBytes),
            (PartitionKind.StateHalf1, "", halfBytes),
        };
        if (counterCapacity > 0)
            wanted.Add((PartitionKind.CounterStore, "", SecurityCounterStore.RequiredBytes(containers.Count, counterCapacity, geometry.WriteAlignment)));
        foreach (var c in containers)
        {
            wanted.Add((PartitionKind.SlotA, c.Name, c.MaxImageBytes));
            wanted.Add((PartitionKind.SlotB, c.Name, c.MaxImageBytes));
        }

        var entries = new List<Partition>();
        var sector = 1;
        for (var i = 0; i < wanted.Count; i++)
        {
            var (kind, name, bytes) = wanted[i];
            var start = sector < geometry.SectorCount ? geometry.SectorStart(sector) : geometry.TotalSize;
            long size = 0;
            while (size < bytes && sector < geometry.SectorCount) size += geometry.SectorSize(sector++);
            if (size < bytes)
            {
                var shortfall = bytes - size + wanted.Skip(i + 1).Sum(w => w.Bytes);
                return new Placement(null, shortfall, kind is PartitionKind.SlotA or PartitionKind.SlotB ? $"{kind} '{name}'" : kind.ToString());
            }
            entries.Add(new Partition(kind, name, start, size));
        }
        return new Placement(new PartitionTable(entries, counterCapacity), 0, null);
    }

    private sealed record Placement(PartitionTable? Table, long Shortfall, string? Unplaced);
}
