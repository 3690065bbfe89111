using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.Simulator;

namespace AtymSecure.Bootloader.Tests.Support;

/// <summary>A small nRF52-like device with containers "app" and "sensor" and their test images.</summary>
public sealed class TwoContainerDevice
{
    public const string App = "app";
    public const string Sensor = "sensor";

    public TwoContainerDevice(FlashProfile? profile = null, BootloaderOptions? options = null)
    {
        Device = SimDevice.Create(profile ?? FlashProfile.Nrf52Like, [new(App, 16 * 1024), new(Sensor, 16 * 1024)], options: options);
        V1 = TestImages.Random(9_999, 1);
        V2 = TestImages.Evolve(V1, 2, 11_111);
        S1 = TestImages.Random(7_001, 3);
    }

    public SimDevice Device { get; }
    public SimulatedNorFlash Flash => Device.Flash;
    public byte[] V1 { get; }
    public byte[] V2 { get; }
    public byte[] S1 { get; }
    public static TestImageSigner Signer => TestImageSigner.Shared;
    public static EcdsaTestPreCheck PreCheck => TestImageSigner.SharedPreCheck;

    public DeviceBootloader Open() => Device.Open();

    /// <summary>Install, boot the trial and confirm it (uncut).</summary>
    public void InstallConfirmed(SignedTestImage image)
    {
        Open().Install(image, PreCheck);
        var bl = Open();
        Assert.Equal(AtymSecure.Bootloader.Boot.BootOutcome.Trial, bl.Boot()[image.ContainerName].Outcome);
        bl.Confirm(image.ContainerName);
    }

    public byte[] Running(DeviceBootloader bl, string container)
    {
        var result = bl.Boot()[container];
        Assert.True(result.IsRunning, $"{container} is not running ({result.Outcome})");
        return bl.OpenImage(container, result.RunningSlot).ReadAll();
    }
}
