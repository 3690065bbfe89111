using System.Buffers.Binary;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.State;
using CsCheck;

namespace AtymSecure.Bootloader.Tests.State;

/// <summary>
/// The write-once counter store on its own (issue 11 §2): bumps program the next never-erased entry, torn and rotten
/// entries never raise a floor, capacity runs out cleanly. The power-cut sweep at the end carries its own negative
/// control: a store of bare u32 values (no complement) that the same sweep must catch.
/// </summary>
public sealed class SecurityCounterStoreTests
{
    private static readonly ContainerSlotRequest[] Two = [new("app", 8192), new("sensor", 8192)];

    private static (SimulatedNorFlash Flash, SecurityCounterStore Store) Fresh(FlashProfile? profile = null, int? alignment = null, byte? erased = null)
    {
        profile ??= FlashProfile.Nrf52Like;
        var g = profile.CreateGeometry(LayoutPlanner.RequiredFlashSize(profile, Two, writeAlignment: alignment), alignment, erased);
        var flash = new SimulatedNorFlash(g);
        var table = LayoutPlanner.Plan(g, Two);
        PartitionTableStore.Provision(flash, table);
        return (flash, new SecurityCounterStore(flash, table));
    }

    [Fact]
    public void Each_bump_programs_the_next_entry_and_the_floor_is_the_highest_value()
    {
        var (flash, store) = Fresh();
        Assert.Equal(new SecurityCounterReading(0, 0, 0, 256), store.Read(0));
        store.Bump(0, 3);
        var ops = flash.OperationCount;
        store.Bump(0, 7);
        Assert.Equal(ops + 1, flash.OperationCount); // one program, no erase, ever
        Assert.Equal(new SecurityCounterReading(7, 2, 0, 256), store.Read(0));
        Assert.Equal(new SecurityCounterReading(0, 0, 0, 256), store.Read(1)); // containers do not share entries
        Assert.Throws<ArgumentOutOfRangeException>(() => store.Bump(0, 7)); // a bump must raise the floor
    }

    [Fact]
    public void Golden_entries_read_as_floor_7_with_the_torn_third_entry_ignored_but_used()
    {
        var (flash, store) = Fresh();
        var golden = GoldenFile.Read("counter-entries-stride8-torn-third.bin");
        Assert.DoesNotContain(golden.AsSpan(24).ToArray(), b => b != 0xFF); // the fourth entry is erased
        flash.Program(store.EntryOffset(0, 0), golden.AsSpan(0, 24));
        Assert.Equal(new SecurityCounterReading(7, 3, 1, 256), store.Read(0));
        store.Bump(0, 9);
        Assert.Equal(new SecurityCounterReading(9, 4, 1, 256), store.Read(0));
        var bytes = new byte[golden.Length];
        flash.Read(store.EntryOffset(0, 0), bytes);
        Assert.Equal(golden.AsSpan(0, 24).ToArray(), bytes.AsSpan(0, 24).ToArray()); // written entries are never touched again
    }

    /// <summary>
    /// Why value + complement: a program that stops early leaves a strict subset of its moving bits moved, and no such
    /// subset of a valid entry is itself a valid entry (it has more or fewer than 32 one-bits).
    /// </summary>
    [Fact]
    public void Property_no_torn_subset_of_an_entry_reads_as_a_valid_value()
    {
        Gen.Select(Gen.UInt[1, uint.MaxValue], Gen.ULong, Gen.Bool).Sample((value, keepMask, erasedFf) =>
        {
            var (flash, store) = Fresh(erased: erasedFf ? (byte)0xFF : (byte)0x00);
            store.Bump(0, 1);
            var full = store.Encode(value);
            var erased = erasedFf ? ulong.MaxValue : 0UL;
            var target = BinaryPrimitives.ReadUInt64LittleEndian(full);
            var moving = erased ^ target;
            var landed = erased ^ (moving & keepMask);
            if (landed == target) return; // the whole program landed
            var torn = (byte[])full.Clone();
            BinaryPrimitives.WriteUInt64LittleEndian(torn, landed);
            flash.Program(store.EntryOffset(0, 1), torn);
            var reading = store.Read(0);
            Assert.Equal(1u, reading.Floor);
        }, iter: 400);
    }

    [Fact]
    public void Bit_rot_in_an_entry_breaks_its_complement_and_is_ignored()
    {
        var (flash, store) = Fresh();
        store.Bump(0, 4);
        store.Bump(0, 5);
        flash.InjectBitRot(store.EntryOffset(0, 1) + 2, 0x10);
        // The newest entry no longer verifies: the floor falls back to the one before it, never to anything higher.
        Assert.Equal(new SecurityCounterReading(4, 2, 1, 256), store.Read(0));
    }

    [Fact]
    public void A_used_up_store_refuses_the_next_bump_without_a_flash_operation()
    {
        var (flash, store) = Fresh();
        for (uint v = 1; v <= 256; v++) store.Bump(1, v);
        Assert.True(store.Read(1).Exhausted);
        var ops = flash.OperationCount;
        Assert.Throws<SecurityCounterExhaustedException>(() => store.Bump(1, 257));
        Assert.Equal(ops, flash.OperationCount);
        Assert.Equal(256u, store.Read(1).Floor);
        Assert.Equal(0, store.Read(0).Used);
    }

    [Fact]
    public void A_dropped_write_is_retried_in_the_next_entry()
    {
        var (flash, store) = Fresh();
        store.Bump(0, 1);
        var entry = store.EntryOffset(0, 1);
        flash.Arm(new FaultPlan { DroppedWriteProbability = 1, DroppedWriteRegion = (entry, entry + 8), Seed = 1 });
        store.Bump(0, 2);
        flash.Arm(FaultPlan.None);
        Assert.Equal(new SecurityCounterReading(2, 3, 0, 256), store.Read(0)); // the hole counts as used, not as torn
    }

    /// <summary>
    /// Power cut and torn program before every counter program of three bumps, on every matrix profile, alignment and
    /// erased value: after power-on the floor is what was bumped before the cut or the value being bumped, never
    /// anything else, and the next bump lands.
    /// </summary>
    [Theory]
    [InlineData(CutKind.PowerCut)]
    [InlineData(CutKind.TornProgram)]
    public void Every_cut_before_or_during_a_bump_leaves_the_old_or_the_new_floor(CutKind kind)
    {
        var cases = 0;
        foreach (var (profile, alignment, erased) in PowerCuts.Scenarios.Configurations())
            for (var cutAt = 1; cutAt <= 3; cutAt++)
                for (var seed = 0; seed < 4; seed++)
                {
                    var (flash, store) = Fresh(profile, alignment, erased);
                    var violation = SweepOne(flash, (c, v) => store.Bump(c, v), c => store.Read(c).Floor, kind, cutAt, seed);
                    Assert.True(violation is null, $"{profile} align={alignment} erased=0x{erased:X2} cut {kind} at bump {cutAt} seed {seed}: {violation}");
                    cases++;
                }
        Assert.Equal(3 * 4 * 2 * 3 * 4, cases);
    }

    /// <summary>Negative control: entries of a bare u32 (no complement) under the same sweep — a tear must show up as a wrong floor.</summary>
    [Fact]
    public void Negative_control_a_store_without_complements_is_caught_by_the_torn_sweep()
    {
        var caught = 0;
        foreach (var (profile, alignment, erased) in PowerCuts.Scenarios.Configurations())
            for (var seed = 0; seed < 4; seed++)
            {
                var (flash, store) = Fresh(profile, alignment, erased);
                var naive = new BareValueCounters(flash, store);
                if (SweepOne(flash, naive.Bump, naive.Floor, CutKind.TornProgram, cutAt: 2, seed) is not null) caught++;
            }
        Assert.True(caught > 0, "the sweep did not notice torn bare values");
    }

    /// <summary>Bumps 1, 2, 3 with a cut before (or tearing) bump <paramref name="cutAt"/>; null when every floor seen was allowed.</summary>
    private static string? SweepOne(SimulatedNorFlash flash, Action<int, uint> bump, Func<int, uint> floor, CutKind kind, int cutAt, int seed)
    {
        flash.Arm(new FaultPlan { CutBeforeOperation = flash.OperationCount + cutAt, CutKind = kind, Seed = seed, TornStyle = TornProgramStyle.BitSubset });
        uint confirmed = 0;
        try
        {
            for (uint v = 1; v <= 3; v++)
            {
                bump(0, v);
                confirmed = v;
            }
            return "no cut happened";
        }
        catch (PowerCutException)
        {
            flash.PowerOn();
        }
        var after = floor(0);
        if (after != confirmed && after != confirmed + 1) return $"floor {after} after a cut with {confirmed} confirmed";
        bump(0, 10);
        return floor(0) == 10 ? null : $"the bump after the cut left floor {floor(0)}";
    }

    /// <summary>The unsafe design: each entry a bare u32, the floor the highest non-erased word.</summary>
    private sealed class BareValueCounters(SimulatedNorFlash flash, SecurityCounterStore layout)
    {
        private int _next;

        public void Bump(int container, uint value)
        {
            var entry = layout.Encode(value);
            entry.AsSpan(4).Fill(flash.Geometry.ErasedValue);
            flash.Program(layout.EntryOffset(container, _next++), entry);
            flash.Sync();
        }

        public uint Floor(int container)
        {
            uint max = 0;
            var buffer = new byte[4];
            for (var i = 0; i < layout.Capacity; i++)
            {
                flash.Read(layout.EntryOffset(container, i), buffer);
                if (buffer.AsSpan().ContainsAnyExcept(flash.Geometry.ErasedValue)) max = Math.Max(max, BinaryPrimitives.ReadUInt32LittleEndian(buffer));
            }
            return max;
        }
    }
}
