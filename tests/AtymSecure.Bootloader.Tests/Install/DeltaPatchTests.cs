using AtymSecure.Primitives;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.PowerCuts;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Formats;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats.Container;

namespace AtymSecure.Bootloader.Tests.Install;

/// <summary>The real formats/Delta SeqDiff decoder plugged into the installer.</summary>
public sealed class DeltaPatchTests
{
    private const int Size = 6 * 1024;
    private static readonly byte[] V1 = TestImages.Random(Size - 777, 1);
    private static readonly byte[] V2 = TestImages.Evolve(V1, 2, Size);

    private static SimDevice DeviceWithV1()
    {
        var device = SimDevice.Create(AtymSecure.Bootloader.Flash.FlashProfile.SpiNor, [new(Scenarios.App, 8192)]);
        var ctx = new ScenarioContext(device, new ScenarioImages(), TestImageSigner.Shared, TestImageSigner.SharedPreCheck);
        ctx.InstallAndConfirm(TestImageSigner.Shared.Full(Scenarios.App, V1, "1.0.0", 1));
        return device;
    }

    [Fact]
    public void The_committed_patches_are_between_the_generated_images()
    {
        foreach (var size in new[] { 6 * 1024, 256 * 1024 })
        {
            var v1 = TestImages.Random(size - 777, 1);
            Assert.Equal(TestImages.Evolve(v1, 2, size), DeltaPatchApplier.Apply(GoldenDelta.Patch(Scenarios.App, size), v1));
            var s1 = TestImages.Random(size - 3001, 11);
            Assert.Equal(TestImages.Evolve(s1, 12, size - 1234), DeltaPatchApplier.Apply(GoldenDelta.Patch(Scenarios.Sensor, size), s1));
        }
    }

    [Fact]
    public void A_SeqDiff_patch_installs_into_the_inactive_slot_reading_the_confirmed_one()
    {
        var device = DeviceWithV1();
        var patch = GoldenDelta.Patch(Scenarios.App, Size);
        var image = new DeltaPatchImage(new InstallImageMetadata(Scenarios.App, SemanticVersion.Release(2, 0, 0), 2, SimDevice.DeviceClass, Digest.Compute(V2), V2.Length), new MemorySource(patch));
        Assert.Equal(Digest.Compute(V1), image.BaseDigest);
        Assert.Equal(DeltaCodec.SeqDiff, image.PatchHeader.Codec);
        Assert.Equal(SlotId.B, device.Open().Install(image, new AcceptAll()));
        Assert.Equal(V2, device.Open().OpenImage(Scenarios.App, SlotId.B).ReadAll());
    }

    [Fact]
    public void Patch_metadata_that_disagrees_with_the_signed_metadata_is_refused_up_front()
    {
        var patch = GoldenDelta.Patch(Scenarios.App, Size);
        Assert.Throws<DeltaMismatchException>(() => new DeltaPatchImage(
            new InstallImageMetadata(Scenarios.App, SemanticVersion.Release(2, 0, 0), 2, SimDevice.DeviceClass, Digest.Compute(V1), V2.Length), new MemorySource(patch)));
    }

    [Fact]
    public void A_damaged_patch_body_fails_verification_and_the_old_image_keeps_running()
    {
        var device = DeviceWithV1();
        var patch = GoldenDelta.Patch(Scenarios.App, Size);
        patch[^10] ^= 0x55;
        var image = new DeltaPatchImage(new InstallImageMetadata(Scenarios.App, SemanticVersion.Release(2, 0, 0), 2, SimDevice.DeviceClass, Digest.Compute(V2), V2.Length), new MemorySource(patch));
        var e = Assert.Throws<InstallVerificationException>(() => device.Open().Install(image, new AcceptAll()));
        Assert.Equal("payload", Assert.Single(e.Problems).Path);
        Assert.Contains(e.Problems[0].Code, new[] { ReasonCodes.BundleMalformed, ReasonCodes.ImageMismatch });
        var bl = device.Open();
        var result = bl.Boot()[Scenarios.App];
        Assert.Equal(V1, bl.OpenImage(Scenarios.App, result.RunningSlot).ReadAll());
    }

    private sealed class AcceptAll : IInstallPreCheck
    {
        public IReadOnlyList<AtymSecure.Primitives.Problem> Check(IInstallImage image, DateTimeOffset now) => [];
    }
}
