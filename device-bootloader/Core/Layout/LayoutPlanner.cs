using AtymSecure.Bootloader.Flash;

namespace AtymSecure.Bootloader.Layout;

/// <summary>A container's slot needs: both its A and B slot hold at least this many bytes.</summary>
public sealed record ContainerSlotRequest(string Name, long MaxImageBytes);

/// <summary>
/// Plans a partition table: sector 0 for the table, two state halves of at least
/// <c>stateHalfMinBytes</c> each, then A and B for each container, all rounded up to whole sectors.
/// </summary>
public static class LayoutPlanner
{
    public static PartitionTable Plan(FlashGeometry geometry, IReadOnlyList<ContainerSlotRequest> containers, long stateHalfMinBytes = 4096)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        ArgumentNullException.ThrowIfNull(containers);
        var entries = new List<Partition>();
        var sector = 1;

        Partition Take(PartitionKind kind, string name, long minBytes)
        {
            if (sector >= geometry.SectorCount)
                throw new PartitionTableException([$"flash ({geometry}) has no room left for {kind} '{name}'"]);
            var start = geometry.SectorStart(sector);
            long size = 0;
            while (size < minBytes)
            {
                if (sector >= geometry.SectorCount)
                    throw new PartitionTableException([$"flash ({geometry}) has no room for {kind} '{name}' ({minBytes} bytes)"]);
                size += geometry.SectorSize(sector++);
            }
            return new Partition(kind, name, start, size);
        }

        entries.Add(Take(PartitionKind.StateHalf0, "", stateHalfMinBytes));
        entries.Add(Take(PartitionKind.StateHalf1, "", stateHalfMinBytes));
        foreach (var c in containers)
        {
            entries.Add(Take(PartitionKind.SlotA, c.Name, c.MaxImageBytes));
            entries.Add(Take(PartitionKind.SlotB, c.Name, c.MaxImageBytes));
        }

        var table = new PartitionTable(entries);
        var problems = table.Validate(geometry);
        if (problems.Count > 0) throw new PartitionTableException(problems);
        return table;
    }

    /// <summary>Smallest part size (bytes) of <paramref name="profile"/> that fits the plan.</summary>
    public static long RequiredFlashSize(FlashProfile profile, IReadOnlyList<ContainerSlotRequest> containers, long stateHalfMinBytes = 4096)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(containers);
        // Grow the part until the plan fits; layouts are small, so a linear search is fine.
        var size = containers.Sum(c => 2 * c.MaxImageBytes) + 3 * stateHalfMinBytes;
        while (true)
        {
            var g = profile.CreateGeometry(size);
            try { Plan(g, containers, stateHalfMinBytes); return g.TotalSize; }
            catch (PartitionTableException) { size = g.TotalSize + g.SectorSize(g.SectorCount - 1); }
        }
    }
}
