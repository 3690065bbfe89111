using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Formats.Container;
using CsCheck;
using AtymSecure.Bootloader.Simulator;

namespace AtymSecure.Bootloader.Tests.Layout;

public sealed class PartitionTableTests
{
    private static readonly ContainerSlotRequest[] Two = [new("app", 20_000), new("sensor-filter", 9_000)];

    [Fact]
    public void The_planner_gives_every_container_sector_aligned_A_and_B_slots_that_fit()
    {
        var g = FlashProfile.Stm32U5Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Stm32U5Like, Two));
        var table = LayoutPlanner.Plan(g, Two);
        Assert.Empty(table.Validate(g));
        Assert.Equal(new[] { "app", "sensor-filter" }, table.ContainerNames);
        Assert.Equal(24 * 1024, table.Slot("app", SlotId.A).Size);
        Assert.Equal(16 * 1024, table.Slot("sensor-filter", SlotId.B).Size);
        Assert.Equal(8192, table.StateHalf(0).Offset); // sector 0 holds the table
    }

    [Fact]
    public void The_planner_handles_mixed_sector_sizes()
    {
        var g = FlashProfile.Stm32F4Mixed.CreateGeometry(1024 * 1024);
        var table = LayoutPlanner.Plan(g, [new("app", 100_000)], stateHalfMinBytes: 16 * 1024);
        Assert.Empty(table.Validate(g));
        Assert.Equal(16 * 1024, table.StateHalf(1).Size);
        // Sector 3 (16 KiB) holds the counter region; sector 4 (64 KiB) is not enough, so the slot takes the next 128 KiB sector too.
        Assert.Equal(16 * 1024, table.CounterRegion!.Size);
        Assert.Equal((64 + 128) * 1024, table.Slot("app", SlotId.A).Size);
        Assert.Equal(128 * 1024, table.Slot("app", SlotId.B).Size);
    }

    [Fact]
    public void A_layout_that_does_not_fit_is_refused()
    {
        var g = FlashProfile.Nrf52Like.CreateGeometry(32 * 1024);
        var e = Assert.Throws<PartitionTableException>(() => LayoutPlanner.Plan(g, [new("app", 20_000)]));
        Assert.Contains("no room", e.Message);
    }

    [Fact]
    public void Encode_then_decode_round_trips()
    {
        var g = FlashProfile.Nrf52Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, Two));
        var table = LayoutPlanner.Plan(g, Two);
        var decoded = PartitionTableCodec.Decode(PartitionTableCodec.Encode(table, g), g);
        Assert.Equal(table, decoded);
    }

    [Fact]
    public void Tables_compare_by_their_entries()
    {
        var g = FlashProfile.Nrf52Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, Two));
        var table = LayoutPlanner.Plan(g, Two);
        var same = new PartitionTable([.. table.Entries.Select(e => e with { })], table.CounterCapacity);
        Assert.Equal(table, same);
        Assert.Equal(table.GetHashCode(), same.GetHashCode());
        Assert.NotEqual(table, new PartitionTable([.. table.Entries.Reverse()], table.CounterCapacity));
        Assert.NotEqual(table, new PartitionTable([.. table.Entries.Select(e => e.Kind == PartitionKind.SlotB ? e with { Size = e.Size / 2 } : e)], table.CounterCapacity));
        Assert.NotEqual(table, new PartitionTable(table.Entries, table.CounterCapacity + 1));
    }

    [Fact]
    public void Provisioned_table_is_read_back_from_sector_0()
    {
        var g = FlashProfile.SpiNor.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.SpiNor, Two, writeAlignment: 16), writeAlignment: 16, erasedValue: 0x00);
        var flash = new SimulatedNorFlash(g);
        var table = LayoutPlanner.Plan(g, Two);
        PartitionTableStore.Provision(flash, table);
        Assert.Equal(table, PartitionTableStore.Read(flash));
    }

    [Fact]
    public void An_unprovisioned_part_says_so()
    {
        var flash = new SimulatedNorFlash(FlashProfile.SpiNor.CreateGeometry(64 * 1024));
        var e = Assert.Throws<PartitionTableException>(() => PartitionTableStore.Read(flash));
        Assert.Contains("no partition table", e.Message);
    }

    [Fact]
    public void Validation_reports_every_problem_at_once()
    {
        var g = FlashProfile.Nrf52Like.CreateGeometry(64 * 1024);
        var table = new PartitionTable(
        [
            new(PartitionKind.StateHalf0, "", 4096, 4096),
            new(PartitionKind.SlotA, "App!", 6000, 4096),          // bad name, not sector aligned
            new(PartitionKind.SlotB, "App!", 8192, 4096),
            new(PartitionKind.SlotA, "x", 12288, 8192),            // no B slot
            new(PartitionKind.SlotB, "y", 16384, 1 << 20),         // outside the part, no A slot
        ]);
        var problems = table.Validate(g);
        void Has(string code, string path, string text) =>
            Assert.Contains(problems, p => p.Code == code && p.Path == path && p.Message.Contains(text, StringComparison.Ordinal));
        Has(PartitionTableProblemCodes.StateHalfCount, "entries", "StateHalf1 entries");
        Has(ConfigProblemCodes.InvalidName, "entries[1].containerName", "container name 'App!' has 'A'");
        Has(PartitionTableProblemCodes.NotSectorAligned, "entries[1].offset", "sector boundaries");
        Has(PartitionTableProblemCodes.Overlap, "entries[2].offset", "overlaps");
        Has(PartitionTableProblemCodes.OutsideFlash, "entries[4].offset", "outside");
        Has(PartitionTableProblemCodes.SlotCount, "entries", "container 'x' has 1 A and 0 B");
        Has(PartitionTableProblemCodes.SlotCount, "entries", "container 'y' has 0 A and 1 B");
        var refused = Assert.Throws<PartitionTableException>(() => PartitionTableCodec.Encode(table, g));
        Assert.Equal(problems, refused.Problems);
        Assert.StartsWith($"invalid partition table ({problems.Count} problems):", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Damaged_tables_are_refused_with_the_reason()
    {
        var g = FlashProfile.Nrf52Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, Two));
        var good = PartitionTableCodec.Encode(LayoutPlanner.Plan(g, Two), g);

        void Refused(byte[] bytes, FlashGeometry on, string code, string path, string text)
        {
            var e = Assert.Throws<PartitionTableException>(() => PartitionTableCodec.Decode(bytes, on));
            Assert.Contains(e.Problems, p => p.Code == code && p.Path == path);
            Assert.Contains(text, e.Message, StringComparison.Ordinal);
        }

        var crc = (byte[])good.Clone();
        crc[20] ^= 0x40;
        Refused(crc, g, PartitionTableProblemCodes.CrcMismatch, "crc", "CRC-32");

        var version = (byte[])good.Clone();
        version[4] = 9;
        Refused(version, g, PartitionTableProblemCodes.UnsupportedVersion, "version", "version 9");

        var magic = (byte[])good.Clone();
        magic[0] ^= 1;
        Refused(magic, g, PartitionTableProblemCodes.NoTable, "magic", "no partition table provisioned");

        Refused(good[..40], g, PartitionTableProblemCodes.Truncated, "$", "only");
        Refused(good[..8], g, PartitionTableProblemCodes.Truncated, "$", "minimum");

        var otherPart = FlashProfile.Nrf52Like.CreateGeometry(g.TotalSize * 2);
        Refused(good, otherPart, PartitionTableProblemCodes.WrongFlashSize, "flashSize", "-byte part");
    }

    [Fact]
    public void Fuzz_decoding_arbitrary_bytes_only_ever_throws_PartitionTableException()
    {
        var g = FlashProfile.Nrf52Like.CreateGeometry(128 * 1024);
        Gen.Byte.Array[0, PartitionTableCodec.MaxEncodedSize].Sample(bytes =>
        {
            try { PartitionTableCodec.Decode(bytes, g); }
            catch (PartitionTableException) { }
        }, iter: 5000);
    }

    [Fact]
    public void Fuzz_mutated_valid_tables_decode_to_valid_tables_or_a_clear_refusal()
    {
        var g = FlashProfile.Nrf52Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, Two));
        var good = PartitionTableCodec.Encode(LayoutPlanner.Plan(g, Two), g);
        Gen.Select(Gen.Int[0, good.Length - 1], Gen.Byte, Gen.Bool).Sample((at, value, fixCrc) =>
        {
            var bytes = (byte[])good.Clone();
            bytes[at] = value;
            if (fixCrc) System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4), System.IO.Hashing.Crc32.HashToUInt32(bytes.AsSpan(0, bytes.Length - 4)));
            try
            {
                var table = PartitionTableCodec.Decode(bytes, g);
                Assert.Empty(table.Validate(g)); // anything accepted is a usable table
            }
            catch (PartitionTableException e)
            {
                Assert.NotEmpty(e.Problems);
            }
        }, iter: 5000);
    }
}
