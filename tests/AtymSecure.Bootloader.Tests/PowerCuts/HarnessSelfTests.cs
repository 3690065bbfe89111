using AtymSecure.Primitives;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Formats.Container;

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
        var scenario = InPlace("unsafe-in-place", v1, v2,
            ctx => ctx.InstallAndConfirm(TestImageSigner.Shared.Full(Scenarios.App, v1, "1.0.0", 1)));
        AssertCaught(new PowerCutRunner(scenario, SimDevice.Create(FlashProfile.Nrf52Like, scenario.Containers), fillLogToFreeSlots: 0));
    }

    [Fact]
    public void An_in_place_writer_of_a_verified_bundle_is_caught_too()
    {
        // The control for BundleInstallPowerCutTests: the same signed bundle, its payload read and checked by
        // the production BundleInstallImage, but written over the running slot instead of through the A/B install.
        using var bundles = new SignedBundles();
        var update = bundles.Open(BundleInstallPowerCutTests.FullUpdate(bundles));
        Assert.Empty(update.Check(update, TestImageSigner.Now));
        var payload = new MemoryStream();
        update.WriteTarget(null, payload);
        var v2 = payload.ToArray();
        Assert.Equal(BundleInstallPowerCutTests.NewImage, v2);

        var scenario = BundleInstallPowerCutTests.UpdateThroughBundles(bundles, BundleInstallPowerCutTests.FullUpdate(bundles), "unsafe-bundle-in-place");
        var unsafeScenario = InPlace(scenario.Name, BundleInstallPowerCutTests.OldImage, v2, scenario.Setup, scenario.Containers);
        AssertCaught(new PowerCutRunner(unsafeScenario, SimDevice.Create(FlashProfile.Nrf52Like, unsafeScenario.Containers), fillLogToFreeSlots: 0));
    }

    private static void AssertCaught(PowerCutRunner runner)
    {
        var sweep = runner.Sweep(CutKind.PowerCut);
        Assert.True(sweep.CutPoints > 5);
        Assert.True(sweep.Recovered < sweep.CutPoints, "the harness failed to notice a non-atomic update");
        Assert.Contains(sweep.Failures, f => f.Contains("neither old nor new") || f.Contains("does not match its digest"));
    }

    /// <summary>
    /// An updater that overwrites the running slot in place with <paramref name="v2"/> and only then records
    /// its digest; <paramref name="install"/> confirms <paramref name="v1"/> first (uncut).
    /// </summary>
    private static PowerCutScenario InPlace(string name, byte[] v1, byte[] v2, Action<ScenarioContext> install, IReadOnlyList<ContainerSlotRequest>? containers = null) => new()
    {
        Name = name,
        Containers = containers ?? [new(Scenarios.App, 8192)],
        Setup = ctx =>
        {
            ctx.Images.Allow(Scenarios.App, v1);
            ctx.Images.Allow(Scenarios.App, v2);
            install(ctx);
            ctx.MustRun.Add(Scenarios.App);
        },
        Step = (ctx, bl) =>
        {
            var record = bl.State(Scenarios.App);
            if (record.ConfirmedImage?.Digest == Digest.Compute(v2)) return true;
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
            log.Append(record.WithSlot(record.ConfirmedSlot, new SlotImageInfo(true, true, (uint)v2.Length, Digest.Compute(v2), SemanticVersion.Release(2, 0, 0), 1)));
            return false;
        },
    };
}
