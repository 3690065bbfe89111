using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats.Container;

using static AtymSecure.Bootloader.Tests.State.TwoContainerStateLog;

namespace AtymSecure.Bootloader.Tests.State;

/// <summary>
/// State log record formats: a log written by the v1 code (192-byte records, u16.u16.u32 versions) keeps reading,
/// its next append migrates it to v2 by a compaction that any power cut leaves at the old or the new state, and a
/// layout whose halves cannot hold v2 records keeps v1 and refuses what v1 cannot record.
/// </summary>
public sealed class StateLogFormatTests
{
    private static readonly ContainerRecord Pre = new(
        0, ContainerState.Confirmed, SlotId.A, SlotId.None, 0, 0x02000000,
        TestRecords.Image(1, true) with { Version = SemanticVersion.Parse("2.0.0-rc.1+build.5"), SecurityCounter = 0x02000000 }, SlotImageInfo.Absent);

    /// <summary>Half 0 as the v1 code left it: a header at epoch 3, then records at the 192-byte stride.</summary>
    private static void WriteV1Half(SimulatedNorFlash flash, PartitionTable table, params ContainerRecord[] records)
    {
        var half = table.StateHalf(0).Offset;
        flash.Program(half, StateRecordCodec.Encode(new StateLogEntry(StateRecordType.HalfHeader, 10, 3, null), TestRecords.GoldenKey, StateRecordFormat.V1));
        for (var i = 0; i < records.Length; i++)
            flash.Program(half + (i + 1) * 192L, StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 11 + (uint)i, 3, records[i]), TestRecords.GoldenKey, StateRecordFormat.V1));
        flash.Sync();
    }

    [Fact]
    public void A_fresh_log_is_written_in_v2()
    {
        var (flash, table) = Part();
        var log = Open(flash, table);
        Assert.Equal((StateRecordFormat.V2, StateRecordFormat.V2), (log.WriteFormat, log.CurrentFormat));
        log.Append(Pre);
        Assert.Equal(Pre, Open(flash, table).Latest(0));
        var raw = new byte[StateRecordCodec.MaxRecordSize];
        flash.Read(table.StateHalf(log.CurrentHalf).Offset + 288, raw);
        Assert.Equal((byte)StateRecordFormat.V2, raw[4]);
    }

    [Fact]
    public void A_v1_log_reads_as_before_and_its_next_append_migrates_it_to_v2()
    {
        var (flash, table) = Part();
        WriteV1Half(flash, table, Record(0, 1), Record(1, 5), Record(0, 2));
        var log = Open(flash, table);
        Assert.Equal(StateRecordFormat.V1, log.CurrentFormat);
        Assert.Equal((0, 3u), (log.CurrentHalf, log.Epoch));
        Assert.Equal(Record(0, 2), log.Latest(0));
        Assert.Equal(Record(1, 5), log.Latest(1));

        log.Append(Pre);
        Assert.Equal((1, 4u, 1, StateRecordFormat.V2), (log.CurrentHalf, log.Epoch, log.Compactions, log.CurrentFormat));
        var again = Open(flash, table);
        Assert.Equal(StateRecordFormat.V2, again.CurrentFormat);
        Assert.Equal(Pre, again.Latest(0));
        Assert.Equal(Record(1, 5), again.Latest(1));
    }

    [Theory]
    [InlineData(CutKind.PowerCut)]
    [InlineData(CutKind.TornProgram)]
    [InlineData(CutKind.InterruptedErase)]
    public void A_cut_at_every_operation_of_the_migration_leaves_the_v1_state_or_the_migrated_one(CutKind kind)
    {
        var (start, table) = Part(8, 0x00);
        WriteV1Half(start, table, Record(0, 5), Record(1, 77));
        var opsBefore = start.OperationCount;
        var probe = start.Clone();
        Open(probe, table).Append(Pre);
        var migrationOps = probe.OperationCount - opsBefore;
        Assert.True(migrationOps > 3, "migration erases, copies, writes a header and appends");

        for (var i = 1; i <= migrationOps; i++)
        {
            var flash = start.Clone();
            flash.Arm(new FaultPlan { CutBeforeOperation = opsBefore + i, CutKind = kind, Seed = i });
            Assert.Throws<PowerCutException>(() => Open(flash, table).Append(Pre));
            flash.PowerOn();
            var recovered = Open(flash, table);
            Assert.Equal(Record(1, 77), recovered.Latest(1));
            Assert.Contains(recovered.Latest(0), new[] { Record(0, 5), Pre });
            recovered.Append(Record(0, 0x02000001));
            var last = Open(flash, table);
            Assert.Equal((Record(0, 0x02000001), Record(1, 77), StateRecordFormat.V2), (last.Latest(0), last.Latest(1), last.CurrentFormat));
        }
    }

    /// <summary>13 containers on 4 KiB halves, as planned before halves were sized for v2: 21 v1 records fit (15 needed), 14 v2 do not.</summary>
    private static (FlashGeometry Geometry, PartitionTable Table) LegacyLayout()
    {
        var g = FlashProfile.Nrf52Like.CreateGeometry(4096L * (3 + 26));
        var entries = new List<Partition> { new(PartitionKind.StateHalf0, "", 4096, 4096), new(PartitionKind.StateHalf1, "", 8192, 4096) };
        for (var i = 0; i < 13; i++)
        {
            entries.Add(new(PartitionKind.SlotA, $"c{i}", 4096L * (3 + 2 * i), 4096));
            entries.Add(new(PartitionKind.SlotB, $"c{i}", 4096L * (4 + 2 * i), 4096));
        }
        var table = new PartitionTable(entries);
        Assert.Empty(table.Validate(g));
        return (g, table);
    }

    [Fact]
    public void A_layout_too_small_for_v2_keeps_v1_and_refuses_what_v1_cannot_hold()
    {
        var (g, table) = LegacyLayout();
        var flash = new SimulatedNorFlash(g);
        var log = Open(flash, table);
        Assert.Equal((StateRecordFormat.V1, StateRecordFormat.V1), (log.WriteFormat, log.CurrentFormat));
        Assert.Contains("does not fit a v1 state record", log.CannotRecord(SemanticVersion.Parse("2.0.0-rc.1")));
        Assert.Null(log.CannotRecord(SemanticVersion.Parse("2.0.0")));
        log.Append(Record(12, 3));
        Assert.Equal(Record(12, 3), Open(flash, table).Latest(12));
    }

    [Fact]
    public void On_such_a_layout_an_install_of_a_pre_release_is_refused_before_any_flash_operation()
    {
        var (g, table) = LegacyLayout();
        var device = new Support.SimDevice(new SimulatedNorFlash(g), Support.SimDevice.DefaultOptions());
        AtymSecure.Bootloader.DeviceBootloader.Provision(device.Flash, table);
        var bootloader = device.Open();
        var ops = device.Flash.OperationCount;
        var image = new byte[1000];
        var e = Assert.Throws<AtymSecure.Bootloader.Install.InstallRefusedException>(() =>
            bootloader.Install(Support.TestImageSigner.Shared.Full("c0", image, "2.0.0-rc.1", 1), Support.TestImageSigner.SharedPreCheck));
        Assert.Contains(e.Problems, p => p.Code == AtymSecure.Formats.ReasonCodes.VersionNotRecordable && p.Message.Contains("too small for v2", StringComparison.Ordinal));
        Assert.Equal(ops, device.Flash.OperationCount);
        bootloader.Install(Support.TestImageSigner.Shared.Full("c0", image, "2.0.0", 1), Support.TestImageSigner.SharedPreCheck);
        Assert.Equal("2.0.0", device.Open().State("c0").SlotA.Version!.ToString());
    }
}
