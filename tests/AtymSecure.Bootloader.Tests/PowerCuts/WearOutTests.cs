using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Tests.Support;

namespace AtymSecure.Bootloader.Tests.PowerCuts;

/// <summary>
/// Issue #5 §4: how many full updates of a 256 KiB container does a 10,000-cycle part survive
/// before its first sector wears out? Measured by running updates to wear-out on parts with a
/// small endurance, checked against the per-sector erase rate, and extrapolated to 10,000.
/// </summary>
public sealed class WearOutTests
{
    private const int ImageSize = 256 * 1024;

    /// <summary>Full updates (install, trial boot, confirm) until a sector wears out; returns how many completed.</summary>
    private static (int Updates, int WornSector) UpdatesUntilWearOut(int endurance, int maxUpdates = int.MaxValue)
    {
        var device = SimDevice.Create(FlashProfile.Stm32U5Like, [new(Scenarios.App, ImageSize)], endurance: endurance);
        var images = new[] { TestImages.Random(ImageSize, 1), TestImages.Random(ImageSize, 2) };
        var signer = TestImageSigner.Shared;
        var done = 0;
        try
        {
            for (; done < maxUpdates; done++)
            {
                var image = signer.Full(Scenarios.App, images[done % 2], $"1.0.{done}", 1);
                device.Open().Install(image, TestImageSigner.SharedPreCheck);
                var bl = device.Open();
                Assert.Equal(BootOutcome.Trial, bl.Boot()[Scenarios.App].Outcome);
                bl.Confirm(Scenarios.App);
            }
        }
        catch (FlashWearOutException e)
        {
            // The failed update never touched the confirmed image: it still boots.
            Assert.Equal(BootOutcome.Confirmed, device.Open().Boot()[Scenarios.App].Outcome);
            return (done, e.SectorIndex);
        }
        return (done, -1);
    }

    /// <summary>Worst erases per update of any sector, measured over <paramref name="updates"/> updates (after the first).</summary>
    private static double WorstErasesPerUpdate(int updates)
    {
        var device = SimDevice.Create(FlashProfile.Stm32U5Like, [new(Scenarios.App, ImageSize)]);
        var images = new[] { TestImages.Random(ImageSize, 1), TestImages.Random(ImageSize, 2) };
        int[] Counts() => Enumerable.Range(0, device.Flash.Geometry.SectorCount).Select(device.Flash.EraseCount).ToArray();
        int[]? start = null;
        for (var i = 0; i <= updates; i++)
        {
            if (i == 1) start = Counts();
            device.Open().Install(TestImageSigner.Shared.Full(Scenarios.App, images[i % 2], $"1.0.{i}", 1), TestImageSigner.SharedPreCheck);
            var bl = device.Open();
            bl.Boot();
            bl.Confirm(Scenarios.App);
        }
        var end = Counts();
        return end.Zip(start!, (e, s) => (double)(e - s) / updates).Max();
    }

    [Fact]
    public void Updates_until_wear_out_match_the_erase_rate_and_extrapolate_to_a_10000_cycle_part()
    {
        var rate = WorstErasesPerUpdate(updates: 40);
        Assert.Equal(0.5, rate, precision: 3); // A/B alternate: each slot sector is erased every other update

        // Run two small-endurance parts to wear-out: updates must grow exactly with endurance / rate.
        var measured = new[] { 30, 60 }.Select(e => (Endurance: e, Result: UpdatesUntilWearOut(e))).ToArray();
        var offsets = measured.Select(m => (int)(m.Endurance / rate) - m.Result.Updates).Distinct().ToArray();
        Assert.True(offsets.Length == 1, $"updates until wear-out are not linear in endurance: {string.Join(", ", measured.Select(m => $"{m.Endurance} cycles -> {m.Result.Updates}"))}");
        Assert.All(measured, m => Assert.True(m.Result.WornSector > 0, "the partition table sector must never be erased"));

        var forTenThousand = (int)(10_000 / rate) - offsets[0];
        Console.WriteLine($"[wear] 256 KiB container on stm32u5 (8 KiB pages): worst sector erased {rate:F3} times per full update; " +
                          $"measured {string.Join(", ", measured.Select(m => $"{m.Endurance} cycles -> {m.Result.Updates} updates (sector {m.Result.WornSector} wore out)"))}; " +
                          $"a 10,000-cycle part survives {forTenThousand} full updates before the first sector wears out");
        Assert.InRange(forTenThousand, 19_990, 20_000);
    }
}
