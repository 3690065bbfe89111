using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Simulator;

namespace AtymSecure.Bootloader.Tests.Flash;

public sealed class SimulatedNorFlashTests
{
    private static SimulatedNorFlash Part(int alignment = 4, byte erased = 0xFF, int endurance = 100, int sectors = 4) =>
        new(new FlashGeometry(Enumerable.Repeat(4096, sectors).ToArray(), alignment, erased, endurance));

    [Theory]
    [InlineData(0xFF)]
    [InlineData(0x00)]
    public void A_new_part_reads_as_erased(byte erased)
    {
        var flash = Part(erased: erased);
        Assert.All(flash.Content.ToArray(), b => Assert.Equal(erased, b));
    }

    [Theory]
    [InlineData(4, 2, 4)]
    [InlineData(4, 4, 6)]
    [InlineData(16, 8, 16)]
    [InlineData(32, 16, 32)]
    public void Misaligned_programs_are_refused(int alignment, long offset, int length)
    {
        var flash = Part(alignment);
        Assert.Throws<FlashAlignmentException>(() => flash.Program(offset, new byte[length]));
        Assert.Equal(0, flash.OperationCount);
    }

    [Fact]
    public void Programming_a_unit_twice_without_erase_is_an_error()
    {
        var flash = Part(4);
        flash.Program(8, [1, 2, 3, 4]);
        var e = Assert.Throws<FlashDoubleProgramException>(() => flash.Program(8, [0, 0, 0, 0]));
        Assert.Equal(8, e.UnitOffset);
        flash.EraseSector(0);
        flash.Program(8, [5, 6, 7, 8]);
        Assert.Equal(new byte[] { 5, 6, 7, 8 }, flash.Content.Slice(8, 4).ToArray());
    }

    [Fact]
    public void Erase_only_works_on_whole_sectors()
    {
        var flash = Part();
        Assert.Throws<FlashAlignmentException>(() => flash.EraseSector(100));
        Assert.Throws<FlashOutOfRangeException>(() => flash.EraseSector(4 * 4096));
    }

    [Theory]
    [InlineData(0xFF)]
    [InlineData(0x00)]
    public void A_torn_program_only_moves_bits_away_from_the_erased_value(byte erased)
    {
        var data = Enumerable.Range(0, 256).Select(i => (byte)(0xA5 ^ i)).ToArray();
        for (var seed = 0; seed < 20; seed++)
        {
            var flash = Part(1, erased);
            flash.Arm(new FaultPlan { CutBeforeOperation = 1, CutKind = CutKind.TornProgram, Seed = seed });
            Assert.Throws<PowerCutException>(() => flash.Program(0, data));
            var got = flash.Content[..256].ToArray();
            for (var i = 0; i < data.Length; i++)
            {
                // Every bit is either still erased or already at its programmed value.
                var movedBits = (byte)(got[i] ^ erased);
                var wantedBits = (byte)(data[i] ^ erased);
                Assert.Equal(0, movedBits & ~wantedBits);
            }
        }
    }

    [Fact]
    public void Sectors_wear_out_after_their_endurance_with_a_typed_error()
    {
        var flash = Part(endurance: 3);
        for (var i = 0; i < 3; i++) flash.EraseSector(4096);
        var e = Assert.Throws<FlashWearOutException>(() => flash.EraseSector(4096));
        Assert.Equal(1, e.SectorIndex);
        Assert.Equal(3, e.EraseCount);
        Assert.Equal(3, flash.EraseCount(1));
        Assert.Equal(0, flash.EraseCount(0));
    }

    [Fact]
    public void A_power_cut_stops_the_operation_and_freezes_the_part_until_power_on()
    {
        var flash = Part();
        flash.Arm(new FaultPlan { CutBeforeOperation = 2 });
        flash.Program(0, [1, 2, 3, 4]);
        var cut = Assert.Throws<PowerCutException>(() => flash.Program(4, [5, 6, 7, 8]));
        Assert.Equal(2, cut.OperationIndex);
        Assert.True(flash.IsFrozen);
        Assert.Throws<PowerCutException>(() => flash.Read(0, new byte[4]));
        Assert.Throws<PowerCutException>(() => flash.EraseSector(0));
        flash.PowerOn();
        Assert.Equal(new byte[] { 1, 2, 3, 4, 0xFF, 0xFF, 0xFF, 0xFF }, flash.Content[..8].ToArray());
        flash.Program(4, [5, 6, 7, 8]); // the cut op never happened, so the unit is still erased
    }

    [Fact]
    public void A_torn_prefix_programs_only_the_first_bytes()
    {
        var data = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        var seen = new HashSet<int>();
        for (var seed = 0; seed < 40; seed++)
        {
            var flash = Part(1);
            flash.Arm(new FaultPlan { CutBeforeOperation = 1, CutKind = CutKind.TornProgram, TornStyle = TornProgramStyle.Prefix, Seed = seed });
            Assert.Throws<PowerCutException>(() => flash.Program(0, data));
            var got = flash.Content[..64].ToArray();
            var n = got.AsSpan().IndexOf((byte)0xFF);
            n = n < 0 ? 64 : n;
            Assert.Equal(data[..n], got[..n]);
            Assert.All(got[n..], b => Assert.Equal(0xFF, b));
            seen.Add(n);
        }
        Assert.True(seen.Count > 5, "prefix lengths should vary with the seed");
    }

    [Fact]
    public void A_torn_bit_subset_moves_only_some_of_the_bits()
    {
        var data = new byte[256]; // all bits move from 1 to 0
        var flash = Part(16);
        flash.Arm(new FaultPlan { CutBeforeOperation = 1, CutKind = CutKind.TornProgram, TornStyle = TornProgramStyle.BitSubset, Seed = 7 });
        Assert.Throws<PowerCutException>(() => flash.Program(0, data));
        var got = flash.Content[..256].ToArray();
        Assert.Contains(got, b => b != 0x00);
        Assert.Contains(got, b => b != 0xFF);
    }

    [Fact]
    public void An_interrupted_erase_leaves_random_content_and_counts_a_cycle()
    {
        var flash = Part();
        flash.Arm(new FaultPlan { CutBeforeOperation = 1, CutKind = CutKind.InterruptedErase, Seed = 1 });
        Assert.Throws<PowerCutException>(() => flash.EraseSector(4096));
        flash.PowerOn();
        var sector = flash.Content.Slice(4096, 4096).ToArray();
        Assert.Contains(sector, b => b != 0xFF);
        Assert.Equal(1, flash.EraseCount(1));
        Assert.All(flash.Content[..4096].ToArray(), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void Dropped_writes_silently_do_nothing_inside_their_region()
    {
        var flash = Part(4);
        flash.Arm(new FaultPlan { DroppedWriteProbability = 1.0, DroppedWriteRegion = (4096, 8192) });
        flash.Program(0, [1, 2, 3, 4]);
        flash.Program(4096, [1, 2, 3, 4]);
        Assert.Equal(1, flash.Content[0]);
        Assert.Equal(0xFF, flash.Content[4096]);
        Assert.Equal(2, flash.OperationCount);
    }

    [Fact]
    public void Out_of_order_writes_lose_an_arbitrary_subset_of_unsynced_programs_at_a_cut()
    {
        var lostEarlierKeptLater = false;
        for (var seed = 0; seed < 50 && !lostEarlierKeptLater; seed++)
        {
            var flash = Part(4);
            flash.Arm(new FaultPlan { OutOfOrderWrites = true, CutBeforeOperation = 5, Seed = seed });
            flash.Program(0, [1, 1, 1, 1]);
            flash.Sync(); // durable
            flash.Program(4, [2, 2, 2, 2]);
            flash.Program(8, [3, 3, 3, 3]);
            flash.Program(12, [4, 4, 4, 4]);
            Assert.Throws<PowerCutException>(() => flash.Program(16, [5, 5, 5, 5]));
            flash.PowerOn();
            Assert.Equal(1, flash.Content[0]);
            lostEarlierKeptLater |= flash.Content[4] == 0xFF && flash.Content[12] == 4;
            // What was lost is erased again and may be programmed.
            if (flash.Content[4] == 0xFF) flash.Program(4, [9, 9, 9, 9]);
        }
        Assert.True(lostEarlierKeptLater, "some seed should persist a later write while losing an earlier one");
    }

    [Fact]
    public void Mixed_sector_sizes_are_addressed_and_erased_by_their_own_size()
    {
        var g = FlashProfile.Stm32F4Mixed.CreateGeometry(512 * 1024);
        Assert.Equal(new[] { 16384, 16384, 16384, 16384, 65536, 131072, 131072, 131072 }, g.SectorSizes);
        var flash = new SimulatedNorFlash(g);
        Assert.Equal(4, g.SectorIndexAt(70000));
        flash.Program(65536, [0]);
        flash.Program(131071, [0]);
        flash.EraseSector(65536);
        Assert.Equal(0xFF, flash.Content[65536]);
        Assert.Equal(0xFF, flash.Content[131071]);
        Assert.Throws<FlashAlignmentException>(() => flash.EraseSector(65536 + 16384));
    }

    [Theory]
    [InlineData("stm32u5", 8192, 16)]
    [InlineData("nrf52", 4096, 4)]
    [InlineData("spinor", 4096, 1)]
    public void Profiles_have_the_documented_geometry(string name, int sector, int alignment)
    {
        var profile = FlashProfile.Matrix.Single(p => p.Name == name);
        var g = profile.CreateGeometry(64 * 1024);
        Assert.All(g.SectorSizes, s => Assert.Equal(sector, s));
        Assert.Equal(alignment, g.WriteAlignment);
        Assert.Equal(0xFF, g.ErasedValue);
        Assert.Equal(32, profile.CreateGeometry(64 * 1024, writeAlignment: 32, erasedValue: 0).WriteAlignment);
    }

    [Fact]
    public void Geometry_rejects_impossible_parts()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FlashGeometry([4096], 3, 0xFF, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FlashGeometry([4096], 4, 0x7F, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FlashGeometry([3000], 4, 0xFF, 10));
        Assert.Throws<ArgumentException>(() => new FlashGeometry([], 4, 0xFF, 10));
    }
}
