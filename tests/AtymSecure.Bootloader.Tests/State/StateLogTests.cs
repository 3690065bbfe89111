using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Bootloader.Simulator;

using static AtymSecure.Bootloader.Tests.State.TwoContainerStateLog;

namespace AtymSecure.Bootloader.Tests.State;

public sealed class StateLogTests
{

    [Fact]
    public void A_fresh_part_is_formatted_and_knows_no_containers()
    {
        var (flash, table) = Part();
        var log = new StateLog(flash, table, TestRecords.GoldenKey);
        Assert.True(log.Recover().Formatted);
        Assert.Null(log.Latest(0));
        Assert.False(Open(flash, table).Recover().Formatted);
    }

    [Fact]
    public void Recovery_takes_the_newest_valid_record_of_each_container()
    {
        var (flash, table) = Part();
        var log = Open(flash, table);
        log.Append(Record(0, 1));
        log.Append(Record(1, 5));
        log.Append(Record(0, 2));
        var again = Open(flash, table);
        Assert.Equal(Record(0, 2), again.Latest(0));
        Assert.Equal(Record(1, 5), again.Latest(1));
    }

    [Theory]
    [InlineData(TornProgramStyle.Prefix)]
    [InlineData(TornProgramStyle.BitSubset)]
    public void A_torn_record_is_skipped_and_the_previous_one_wins(TornProgramStyle style)
    {
        var previousWon = 0;
        for (var seed = 0; seed < 30; seed++)
        {
            var (flash, table) = Part(1);
            var log = Open(flash, table);
            log.Append(Record(0, 1));
            flash.Arm(new FaultPlan { CutBeforeOperation = flash.OperationCount + 1, CutKind = CutKind.TornProgram, TornStyle = style, Seed = seed });
            Assert.Throws<PowerCutException>(() => log.Append(Record(0, 2)));
            flash.PowerOn();
            var recovered = Open(flash, table);
            // A tear that happened to program every byte is simply a completed write.
            Assert.Contains(recovered.Latest(0), new[] { Record(0, 1), Record(0, 2) });
            if (recovered.Latest(0) == Record(0, 1)) previousWon++;
            recovered.Append(Record(0, 3)); // appends after the torn slot, never over it
            Assert.Equal(Record(0, 3), Open(flash, table).Latest(0));
        }
        Assert.True(previousWon >= 25, $"almost every tear should leave the previous record ({previousWon}/30)");
    }

    [Fact]
    public void Compaction_copies_the_newest_records_to_the_other_half_before_it_is_used()
    {
        var (flash, table) = Part();
        var log = Open(flash, table);
        var half = log.CurrentHalf;
        log.Append(Record(1, 99));
        for (uint i = 0; i < (uint)log.SlotsPerHalf + 3; i++) log.Append(Record(0, i));
        Assert.Equal(1, log.Compactions);
        Assert.NotEqual(half, log.CurrentHalf);
        var again = Open(flash, table);
        Assert.Equal(Record(1, 99), again.Latest(1));
        Assert.Equal(Record(0, (uint)log.SlotsPerHalf + 2), again.Latest(0));
    }

    [Fact]
    public void A_cut_at_every_operation_of_a_compaction_keeps_the_newest_durable_state()
    {
        var (start, table) = Part(8, 0x00);
        var log = Open(start, table);
        log.Append(Record(1, 77));
        while (log.FreeSlots > 0) log.Append(Record(0, 5));
        var opsBefore = start.OperationCount;
        var probe = start.Clone();
        Open(probe, table).Append(Record(0, 6));
        var compactionOps = probe.OperationCount - opsBefore;
        Assert.True(compactionOps > 3, "compaction should erase, copy and write a header");

        foreach (var kind in new[] { CutKind.PowerCut, CutKind.TornProgram, CutKind.InterruptedErase })
            for (var i = 1; i <= compactionOps; i++)
            {
                var flash = start.Clone();
                flash.Arm(new FaultPlan { CutBeforeOperation = opsBefore + i, CutKind = kind, Seed = i });
                Assert.Throws<PowerCutException>(() => Open(flash, table).Append(Record(0, 6)));
                flash.PowerOn();
                var recovered = Open(flash, table);
                Assert.Equal(Record(1, 77), recovered.Latest(1));
                Assert.Contains(recovered.Latest(0), new[] { Record(0, 5), Record(0, 6) });
                recovered.Append(Record(0, 7));
                Assert.Equal(Record(0, 7), Open(flash, table).Latest(0));
                Assert.Equal(Record(1, 77), Open(flash, table).Latest(1));
            }
    }

    [Fact]
    public void Dropped_record_writes_are_detected_by_read_back_and_retried()
    {
        var (flash, table) = Part();
        var log = Open(flash, table);
        var halves = (table.StateHalf(0).Offset, table.StateHalf(1).End);
        flash.Arm(new FaultPlan { DroppedWriteProbability = 0.5, DroppedWriteRegion = halves, Seed = 4 });
        var written = 0;
        for (uint i = 1; i <= 60; i++)
        {
            try { log.Append(Record(0, i)); written = (int)i; }
            catch (StateWriteException) { log = Open(flash, table); }
        }
        Assert.True(written > 40, $"most appends should get through with p=0.5 drops (got {written})");
        flash.Arm(FaultPlan.None);
        Assert.Equal(Record(0, (uint)written), Open(flash, table).Latest(0));
    }

    [Fact]
    public void When_every_write_is_dropped_the_log_says_so_instead_of_pretending()
    {
        var (flash, table) = Part();
        var log = Open(flash, table);
        flash.Arm(new FaultPlan { DroppedWriteProbability = 1.0, DroppedWriteRegion = (table.StateHalf(0).Offset, table.StateHalf(1).End) });
        Assert.Throws<StateWriteException>(() => log.Append(Record(0, 1)));
    }

    [Fact]
    public void Records_written_with_another_device_key_are_ignored()
    {
        var (flash, table) = Part();
        Open(flash, table).Append(Record(0, 3));
        var stranger = new StateLog(flash, table, AtymSecure.Bootloader.Crypto.DeviceKey.Generate());
        var scan = stranger.Recover();
        Assert.True(scan.Formatted || stranger.Latest(0) is null);
    }

    [Fact]
    public void Out_of_order_completion_never_makes_a_half_header_valid_without_its_records()
    {
        var (start, table) = Part(4);
        var log = Open(start, table);
        log.Append(Record(1, 50));
        while (log.FreeSlots > 0) log.Append(Record(0, 5));
        var ops = start.OperationCount;
        for (var i = 1; i <= 8; i++)
            for (var seed = 0; seed < 10; seed++)
            {
                var flash = start.Clone();
                flash.Arm(new FaultPlan { OutOfOrderWrites = true, CutBeforeOperation = ops + i, Seed = seed });
                try { Open(flash, table).Append(Record(0, 6)); } catch (PowerCutException) { }
                flash.PowerOn();
                flash.Arm(FaultPlan.None);
                var recovered = Open(flash, table);
                Assert.Equal(Record(1, 50), recovered.Latest(1));
                Assert.NotNull(recovered.Latest(0));
            }
    }
}
