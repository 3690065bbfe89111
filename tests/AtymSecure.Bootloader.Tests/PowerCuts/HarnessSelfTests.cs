using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.Support;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>
/// Negative control: the power-cut harness must catch an updater that is NOT power-safe, or its
/// green results would mean nothing. This one overwrites the running slot in place and only then
/// records the new digest (what the A/B design exists to avoid).
/// </summary>
public sealed class HarnessSelfTests
{
    [Fact]
    public void An_in_place_updater_is_caught_mixing_old_and_new()
    {
        var v1 = TestImages.Random(6000, 1);
        var v2 = TestImages.Evolve(v1, 2, 6500);
        var scenario = new PowerCutScenario
        {
            Name = "unsafe-in-place",
            Containers = [new(Scenarios.App, 8192)],
            Setup = ctx =>
            {
                ctx.Images.Allow(Scenarios.App, v1);
                ctx.Images.Allow(Scenarios.App, v2);
                ctx.InstallAndConfirm(TestImageSigner.Shared.Full(Scenarios.App, v1, "1.0.0", 1));
                ctx.MustRun.Add(Scenarios.App);
            },
            Step = (ctx, bl) =>
            {
                var record = bl.State(Scenarios.App);
                if (record.ConfirmedImage?.Digest == Sha256Digest.Of(v2)) return true;
                var flash = ctx.Device.Flash;
                var slot = bl.Partitions.Slot(Scenarios.App, record.ConfirmedSlot);
                for (var at = slot.Offset; at < slot.End; at += flash.Geometry.SectorSize(flash.Geometry.SectorIndexAt(at)))
                    flash.EraseSector(at);
                for (var at = 0; at < v2.Length; at += 1024)
                {
                    var chunk = new byte[1024];
                    chunk.AsSpan().Fill(flash.Geometry.ErasedValue);
                    v2.AsSpan(at, Math.Min(1024, v2.Length - at)).CopyTo(chunk);
                    flash.Program(slot.Offset + at, chunk);
                }
                var log = new StateLog(flash, bl.Partitions, ctx.Device.Key);
                log.Recover();
                log.Append(record.WithSlot(record.ConfirmedSlot, new SlotImageInfo(true, true, (uint)v2.Length, Sha256Digest.Of(v2), new ImageVersion(2, 0, 0), 1)));
                return false;
            },
        };
        var runner = new PowerCutRunner(scenario, SimDevice.Create(FlashProfile.Nrf52Like, scenario.Containers), fillLogToFreeSlots: 0);
        var sweep = runner.Sweep(CutKind.PowerCut);
        Assert.True(sweep.CutPoints > 5);
        Assert.True(sweep.Recovered < sweep.CutPoints, "the harness failed to notice a non-atomic update");
        Assert.Contains(sweep.Failures, f => f.Contains("neither old nor new") || f.Contains("does not match its digest"));
    }
}
