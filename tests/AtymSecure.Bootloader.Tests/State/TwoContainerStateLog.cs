using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.State;

namespace AtymSecure.Bootloader.Tests.State;

/// <summary>The part the state-log tests write to: two 4 KiB containers on an nRF52-like flash, provisioned.</summary>
internal static class TwoContainerStateLog
{
    public static (SimulatedNorFlash Flash, PartitionTable Table) Part(int alignment = 4, byte erased = 0xFF)
    {
        var containers = new ContainerSlotRequest[] { new("a", 4096), new("b", 4096) };
        var g = FlashProfile.Nrf52Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, containers, writeAlignment: alignment), alignment, erased);
        var flash = new SimulatedNorFlash(g);
        var table = LayoutPlanner.Plan(g, containers);
        PartitionTableStore.Provision(flash, table);
        return (flash, table);
    }

    /// <summary>The log on <paramref name="flash"/>, recovered as at power-on.</summary>
    public static StateLog Open(IFlash flash, PartitionTable table)
    {
        var log = new StateLog(flash, table, TestRecords.GoldenKey);
        log.Recover();
        return log;
    }

    /// <summary>A confirmed record whose floor (and image seed) is <paramref name="floor"/>.</summary>
    public static ContainerRecord Record(int index, uint floor) =>
        new(index, ContainerState.Confirmed, SlotId.A, SlotId.None, 0, floor, TestRecords.Image((int)floor + 10, true), SlotImageInfo.Absent);
}
