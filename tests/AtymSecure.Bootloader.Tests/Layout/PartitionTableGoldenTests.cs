using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;

namespace AtymSecure.Bootloader.Tests.Layout;

/// <summary>
/// Partition table v1 as committed bytes (made once by today's encoder, kept forever): a later
/// encoder or CRC-32 implementation must still read them with the same verdict and write them again.
/// </summary>
public sealed class PartitionTableGoldenTests
{
    private static readonly ContainerSlotRequest[] Two = [new("app", 20_000), new("sensor-filter", 9_000)];

    /// <summary>
    /// The part the golden table was planned for: nRF52-like, just large enough for <see cref="Two"/> without a counter
    /// region (the planner's v1 layout, <c>counterCapacity: 0</c>; v2 tables have their own goldens).
    /// </summary>
    private static FlashGeometry Geometry => FlashProfile.Nrf52Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, Two, counterCapacity: 0));

    private static readonly Partition[] Expected =
    [
        new(PartitionKind.StateHalf0, "", 0x1000, 0x1000),
        new(PartitionKind.StateHalf1, "", 0x2000, 0x1000),
        new(PartitionKind.SlotA, "app", 0x3000, 0x5000),
        new(PartitionKind.SlotB, "app", 0x8000, 0x5000),
        new(PartitionKind.SlotA, "sensor-filter", 0xD000, 0x3000),
        new(PartitionKind.SlotB, "sensor-filter", 0x10000, 0x3000),
    ];

    [Fact]
    public void Golden_v1_table_decodes_to_the_expected_layout_and_encodes_to_the_committed_bytes()
    {
        var golden = GoldenFile.Read("partition-table-v1-two-containers.bin");
        var table = PartitionTableCodec.Decode(golden, Geometry);
        Assert.Equal(Expected, table.Entries);
        Assert.Equal(["app", "sensor-filter"], table.ContainerNames);
        Assert.Equal(golden, PartitionTableCodec.Encode(table, Geometry));
        Assert.Equal(golden, PartitionTableCodec.Encode(LayoutPlanner.Plan(Geometry, Two, counterCapacity: 0), Geometry));
    }

    [Fact]
    public void Golden_v1_table_is_read_back_from_sector_0_of_a_provisioned_part()
    {
        var flash = new Simulator.SimulatedNorFlash(Geometry);
        PartitionTableStore.Provision(flash, LayoutPlanner.Plan(Geometry, Two, counterCapacity: 0));
        var golden = GoldenFile.Read("partition-table-v1-two-containers.bin");
        var sector0 = new byte[golden.Length];
        flash.Read(0, sector0);
        Assert.Equal(golden, sector0);
    }

    [Fact]
    public void Negative_golden_with_a_damaged_entry_is_refused_by_its_checksum()
    {
        var e = Assert.Throws<PartitionTableException>(() =>
            PartitionTableCodec.Decode(GoldenFile.Read("partition-table-v1-damaged-entry-negative.bin"), Geometry));
        Assert.Contains("CRC-32", e.Message);
    }

    [Fact]
    public void Negative_golden_cut_short_is_refused_by_its_length()
    {
        var e = Assert.Throws<PartitionTableException>(() =>
            PartitionTableCodec.Decode(GoldenFile.Read("partition-table-v1-truncated-negative.bin"), Geometry));
        Assert.Contains("table needs 304 bytes", e.Message);
    }
}
