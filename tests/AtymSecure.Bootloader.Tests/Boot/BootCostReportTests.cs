using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Tests.Support;

namespace AtymSecure.Bootloader.Tests.Boot;

/// <summary>
/// Issue #5 §3: boot-time verification cost per container. Asserts the bytes hashed (the
/// bounded part); prints the measured time on this machine (never asserted).
/// </summary>
public sealed class BootCostReportTests
{
    [Theory]
    [InlineData("stm32u5", 256 * 1024)]
    [InlineData("nrf52", 64 * 1024)]
    [InlineData("spinor", 6 * 1024)]
    public void First_trial_boot_hashes_the_image_once_later_boots_hash_nothing(string profileName, int size)
    {
        var profile = FlashProfile.Matrix.Single(p => p.Name == profileName);
        var device = SimDevice.Create(profile, [new("app", size)]);
        var image = TestImages.Random(size, 5);
        device.Open().Install(TestImageSigner.Shared.Full("app", image, "1.0.0", 1), TestImageSigner.SharedPreCheck);

        var first = device.Open().Boot()["app"];
        Assert.Equal(BootOutcome.Trial, first.Outcome);
        Assert.Equal(size, first.BytesHashed);

        var later = new List<ContainerBootResult>();
        for (var i = 0; i < 2; i++) later.Add(device.Open().Boot()["app"]);
        device.Open().Confirm("app");
        for (var i = 0; i < 3; i++) later.Add(device.Open().Boot()["app"]);
        Assert.All(later, r => Assert.Equal(0, r.BytesHashed));

        var everyBoot = DeviceBootloader.Open(device.Flash, device.Key, device.Options with { Verification = BootVerification.EveryBoot }).Boot()["app"];
        Assert.Equal(size, everyBoot.BytesHashed);

        Console.WriteLine($"[boot-cost] {profileName} container {size / 1024} KiB: first trial boot hashes {first.BytesHashed} B " +
                          $"in {first.VerificationTime.TotalMilliseconds:F2} ms (this machine); later boots hash 0 B and trust the MACed record " +
                          $"(1 HMAC-SHA256 per state record read); EveryBoot mode hashes {everyBoot.BytesHashed} B in {everyBoot.VerificationTime.TotalMilliseconds:F2} ms");
    }
}
