using System.Buffers.Binary;
using System.IO.Hashing;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.State;
using CsCheck;

namespace AtymSecure.Bootloader.Tests.Layout;

/// <summary>
/// Partition table v2 (issue 11 §2): v1 plus one write-once counter region (kind 5) whose entry's last word is the
/// counter capacity per container. Goldens made once by this encoder and kept forever; the v1 goldens are untouched
/// and still decode (<see cref="PartitionTableGoldenTests"/>).
/// </summary>
public sealed class PartitionTableV2Tests
{
    private static readonly ContainerSlotRequest[] Two = [new("app", 20_000), new("sensor-filter", 9_000)];

    /// <summary>The part the v2 golden was planned for: nRF52-like, just large enough for <see cref="Two"/> with 256 bumps each.</summary>
    private static FlashGeometry Geometry => FlashProfile.Nrf52Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, Two));

    private static readonly Partition[] Expected =
    [
        new(PartitionKind.StateHalf0, "", 0x1000, 0x1000),
        new(PartitionKind.StateHalf1, "", 0x2000, 0x1000),
        new(PartitionKind.CounterStore, "", 0x3000, 0x1000),
        new(PartitionKind.SlotA, "app", 0x4000, 0x5000),
        new(PartitionKind.SlotB, "app", 0x9000, 0x5000),
        new(PartitionKind.SlotA, "sensor-filter", 0xE000, 0x3000),
        new(PartitionKind.SlotB, "sensor-filter", 0x11000, 0x3000),
    ];

    private static byte[] WithCrc(byte[] bytes)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
        return bytes;
    }

    private static PartitionTableException Refused(byte[] bytes, string code)
    {
        var e = Assert.Throws<PartitionTableException>(() => PartitionTableCodec.Decode(bytes, Geometry));
        Assert.Contains(e.Problems, p => p.Code == code);
        return e;
    }

    [Fact]
    public void Golden_v2_table_decodes_to_the_expected_layout_and_encodes_to_the_committed_bytes()
    {
        var golden = GoldenFile.Read("partition-table-v2-two-containers.bin");
        Assert.Equal(PartitionTableCodec.VersionWithCounters, golden[4]);
        var table = PartitionTableCodec.Decode(golden, Geometry);
        Assert.Equal(Expected, table.Entries);
        Assert.Equal(SecurityCounterStore.DefaultCapacity, table.CounterCapacity);
        Assert.Equal(Expected[2], table.CounterRegion);
        Assert.Equal(golden, PartitionTableCodec.Encode(table, Geometry));
        Assert.Equal(golden, PartitionTableCodec.Encode(LayoutPlanner.Plan(Geometry, Two), Geometry));
    }

    [Fact]
    public void Golden_v2_table_is_what_provisioning_writes_to_sector_0()
    {
        var flash = new SimulatedNorFlash(Geometry);
        DeviceBootloader.Provision(flash, LayoutPlanner.Plan(Geometry, Two));
        var golden = GoldenFile.Read("partition-table-v2-two-containers.bin");
        var sector0 = new byte[golden.Length];
        flash.Read(0, sector0);
        Assert.Equal(golden, sector0);
        Assert.True(DeviceBootloader.Open(flash, Crypto.DeviceKey.Generate(), Support.SimDevice.DefaultOptions()).HasCounterStore);
    }

    [Fact]
    public void Negative_golden_whose_region_is_too_small_for_its_capacity_is_refused()
    {
        var e = Refused(GoldenFile.Read("partition-table-v2-region-too-small-negative.bin"), PartitionTableProblemCodes.CounterRegionTooSmall);
        Assert.Contains("2 containers × 1024 entries (16384 bytes)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_golden_with_a_counter_region_in_a_v1_table_is_refused()
    {
        var e = Refused(GoldenFile.Read("partition-table-v2-counter-region-in-v1-negative.bin"), PartitionTableProblemCodes.UnknownKind);
        Assert.Contains("needs table version 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_version_is_refused_naming_both_known_ones()
    {
        var bytes = GoldenFile.Read("partition-table-v2-two-containers.bin");
        bytes[4] = 3;
        var e = Refused(WithCrc(bytes), PartitionTableProblemCodes.UnsupportedVersion);
        Assert.Contains("version 3 is not supported (expected 1 or 2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_counter_region_overlapping_a_slot_is_refused()
    {
        var g = Geometry;
        var entries = Expected.Select(e => e.Kind == PartitionKind.CounterStore ? e with { Offset = 0x4000 } : e).ToArray();
        var problems = new PartitionTable(entries, 256).Validate(g);
        Assert.Contains(problems, p => p.Code == PartitionTableProblemCodes.Overlap);
    }

    [Theory]
    [InlineData(0, PartitionTableProblemCodes.CounterCapacity)]
    [InlineData(255, PartitionTableProblemCodes.CounterCapacity)]
    [InlineData(65_537, PartitionTableProblemCodes.CounterCapacity)]
    [InlineData(257, PartitionTableProblemCodes.CounterRegionTooSmall)]
    public void A_capacity_out_of_range_or_beyond_the_region_is_refused(int capacity, string code)
    {
        var bytes = GoldenFile.Read("partition-table-v2-two-containers.bin");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(PartitionTableCodec.HeaderSize + 2 * PartitionTableCodec.EntrySize + 44), (uint)capacity);
        Refused(WithCrc(bytes), code);
    }

    [Fact]
    public void Two_counter_regions_a_named_region_and_a_capacity_without_region_are_refused()
    {
        var g = FlashProfile.Nrf52Like.CreateGeometry(256 * 1024);
        var twoRegions = Expected.Append(new Partition(PartitionKind.CounterStore, "", 0x20000, 0x1000)).ToArray();
        Assert.Contains(new PartitionTable(twoRegions, 256).Validate(g), p => p.Code == PartitionTableProblemCodes.CounterRegionCount);
        var named = Expected.Select(e => e.Kind == PartitionKind.CounterStore ? e with { ContainerName = "app" } : e).ToArray();
        Assert.Contains(new PartitionTable(named, 256).Validate(g), p => p.Code == PartitionTableProblemCodes.NamedCounterRegion);
        var noRegion = Expected.Where(e => e.Kind != PartitionKind.CounterStore).ToArray();
        Assert.Contains(new PartitionTable(noRegion, 256).Validate(g), p => p.Code == PartitionTableProblemCodes.CounterCapacity);
    }

    [Fact]
    public void The_planner_refuses_a_capacity_below_256_and_plans_v1_for_capacity_0()
    {
        var e = Assert.Throws<PartitionTableException>(() => LayoutPlanner.Plan(Geometry, Two, counterCapacity: 100));
        Assert.Contains(e.Problems, p => p.Code == PartitionTableProblemCodes.CounterCapacity && p.Path == "counterCapacity");
        var v1 = LayoutPlanner.Plan(Geometry, Two, counterCapacity: 0);
        Assert.Null(v1.CounterRegion);
        Assert.Equal(PartitionTableCodec.Version, PartitionTableCodec.Encode(v1, Geometry)[4]);
    }

    /// <summary>Any plan (profiles, alignments, 1–40 containers, capacities) round-trips through v2 and sizes its region exactly.</summary>
    [Fact]
    public void Property_planned_v2_tables_round_trip_and_hold_every_containers_entries()
    {
        var gen = Gen.Select(Gen.Int[0, FlashProfile.Matrix.Count - 1], Gen.Int[0, 4].Select(i => 1 << (i == 0 ? 0 : i + 1)), Gen.Int[1, 40],
            Gen.Int[SecurityCounterStore.MinCapacity, 4096], Gen.Int[512, 40_000]);
        gen.Sample((profileIndex, alignment, count, capacity, slotBytes) =>
        {
            var profile = FlashProfile.Matrix[profileIndex];
            var containers = Enumerable.Range(0, count).Select(i => new ContainerSlotRequest($"c{i}", slotBytes)).ToArray();
            var g = profile.CreateGeometry(LayoutPlanner.RequiredFlashSize(profile, containers, counterCapacity: capacity, writeAlignment: alignment), alignment);
            var table = LayoutPlanner.Plan(g, containers, counterCapacity: capacity);
            var bytes = PartitionTableCodec.Encode(table, g);
            Assert.Equal(PartitionTableCodec.VersionWithCounters, bytes[4]);
            Assert.Equal(table, PartitionTableCodec.Decode(bytes, g));
            Assert.True(table.CounterRegion!.Size >= SecurityCounterStore.RequiredBytes(count, capacity, alignment));
        }, iter: 150);
    }

    /// <summary>A v2 table with one byte changed (CRC fixed or not) decodes to a usable table or is refused with problems, never anything else.</summary>
    [Fact]
    public void Property_mutated_v2_tables_decode_to_valid_tables_or_a_clear_refusal()
    {
        var good = GoldenFile.Read("partition-table-v2-two-containers.bin");
        var g = Geometry;
        Gen.Select(Gen.Int[0, good.Length - 1], Gen.Byte, Gen.Bool).Sample((at, value, fixCrc) =>
        {
            var bytes = (byte[])good.Clone();
            bytes[at] = value;
            if (fixCrc) WithCrc(bytes);
            try
            {
                var table = PartitionTableCodec.Decode(bytes, g);
                Assert.Empty(table.Validate(g));
                if (table.CounterRegion is not null)
                    Assert.True(table.CounterRegion.Size >= SecurityCounterStore.RequiredBytes(table.ContainerNames.Count, table.CounterCapacity, g.WriteAlignment));
            }
            catch (PartitionTableException e)
            {
                Assert.NotEmpty(e.Problems);
            }
        }, iter: 5000);
    }
}
