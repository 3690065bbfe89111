using AtymSecure.TestSupport;
using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Bootloader.Simulator;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>Faults beyond the main matrix: process restarts from the flash file, out-of-order writes, dropped writes, mixed sectors.</summary>
public sealed class PersistenceAndOddFaultTests(PowerCutReport report) : IClassFixture<PowerCutReport>, IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("device");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_device_cut_mid_install_recovers_after_a_process_restart_from_its_flash_file()
    {
        var path = Path.Combine(_temp.Path, "device.flash");
        var s = Scenarios.Create("full-update", 6 * 1024);
        var device = SimDevice.Create(FlashProfile.Nrf52Like, s.Containers);
        var ctx = new ScenarioContext(device, new ScenarioImages(), TestImageSigner.Shared, TestImageSigner.SharedPreCheck);
        s.Setup(ctx);
        device.Flash.Mutated = f => FlashImageFile.Save(f, path);
        device.Flash.Arm(new FaultPlan { CutBeforeOperation = device.Flash.OperationCount + 6, CutKind = CutKind.TornProgram, Seed = 9 });
        Assert.Throws<PowerCutException>(() => { while (!s.Step(ctx, ctx.PowerOn())) { } });

        // New process: only the file survives.
        var restarted = new SimDevice(FlashImageFile.Load(path), device.Options);
        var again = ctx.ForkFor(restarted);
        var bl = again.PowerOn(); // invariants: old image runs, fully verified
        Assert.Equal(BootOutcome.Confirmed, again.LastReport![Scenarios.App].Outcome);
        while (!s.Step(again, bl)) bl = again.PowerOn();
        Assert.Equal(AtymSecure.Bootloader.State.ContainerState.Confirmed, restarted.Open().State(Scenarios.App).State);
    }

    [Theory]
    [InlineData("full-update")]
    [InlineData("two-containers")]
    public void Out_of_order_write_completion_at_every_cut_point_still_recovers(string scenario)
    {
        var s = Scenarios.Create(scenario, 6 * 1024);
        var runner = new PowerCutRunner(s, SimDevice.Create(FlashProfile.SpiNor, s.Containers, writeAlignment: 8));
        var sweep = runner.SweepWith(i => new FaultPlan { CutBeforeOperation = i, OutOfOrderWrites = true, Seed = i }, "out-of-order");
        report.Add("spinor-ooo", "spinor align=8 erased=0xFF out-of-order", scenario, runner.TotalOperations, [sweep]);
        Assert.True(sweep.Failures.Count == 0, string.Join("\n", sweep.Failures.Take(5)));
    }

    [Fact]
    public void Dropped_state_writes_with_cuts_still_recover()
    {
        var s = Scenarios.Create("full-update", 6 * 1024);
        var device = SimDevice.Create(FlashProfile.Nrf52Like, s.Containers);
        var table = AtymSecure.Bootloader.Layout.PartitionTableStore.Read(device.Flash);
        var region = (table.StateHalf(0).Offset, table.StateHalf(1).End);
        var runner = new PowerCutRunner(s, device);
        var sweep = runner.SweepWith(i => new FaultPlan { CutBeforeOperation = i, DroppedWriteProbability = 0.3, DroppedWriteRegion = region, Seed = i }, "dropped-state-writes");
        report.Add("nrf52-dropped", "nrf52 align=4 erased=0xFF dropped state writes p=0.3", "full-update", runner.TotalOperations, [sweep]);
        Assert.True(sweep.Failures.Count == 0, string.Join("\n", sweep.Failures.Take(5)));
    }

    [Theory]
    [InlineData("full-update")]
    [InlineData("revert-crash-loop")]
    public void Mixed_sector_sizes_survive_every_cut(string scenario)
    {
        var s = Scenarios.Create(scenario, 24 * 1024);
        var runner = new PowerCutRunner(s, SimDevice.Create(FlashProfile.Stm32F4Mixed, s.Containers, stateHalfMinBytes: 16 * 1024, erasedValue: 0x00));
        SweepResult[] sweeps = [runner.Sweep(CutKind.PowerCut), runner.Sweep(CutKind.TornProgram), runner.Sweep(CutKind.InterruptedErase)];
        report.Add("stm32f4-mixed", "stm32f4-mixed align=1 erased=0x00", scenario, runner.TotalOperations, sweeps);
        foreach (var sweep in sweeps) Assert.True(sweep.Failures.Count == 0, string.Join("\n", sweep.Failures.Take(5)));
    }
}
