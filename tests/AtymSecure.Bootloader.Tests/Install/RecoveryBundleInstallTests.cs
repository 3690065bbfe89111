using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.State;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Formats;

namespace AtymSecure.Bootloader.Tests.Install;

/// <summary>
/// docs/trust-model.md §4: a device in recovery accepts one install, a recovery bundle signed by a recovery key, which
/// leaves recovery (a fresh state log, as re-provisioning writes) before it writes its slot. Before this change the
/// recovery-signed bundle was refused with recovery-state like every other (seen: the first test failed).
/// </summary>
public sealed class RecoveryBundleInstallTests : IDisposable
{
    private const string App = "app";
    private static readonly byte[] V1 = TestImages.Random(5000, 1);
    private static readonly byte[] V2 = TestImages.Evolve(V1, 2, 5200);
    private readonly SignedBundles _bundles = new();
    private readonly SimDevice _device = SimDevice.Create(AtymSecure.Bootloader.Flash.FlashProfile.Nrf52Like, [new(App, 8192)]);

    public void Dispose() => _bundles.Dispose();

    private void InstallAndConfirm(byte[] bundle)
    {
        var image = _bundles.Open(bundle);
        _device.Open().Install(image, image);
        var bl = _device.Open();
        Assert.Equal(BootOutcome.Trial, bl.Boot()[App].Outcome);
        bl.Confirm(App);
    }

    private DeviceBootloader DeviceInRecovery()
    {
        InstallAndConfirm(_bundles.Full(App, V1, "1.0.0", 3));
        Assert.True(StateLogRecoveryTests.DamageEveryMac(_device) >= 1);
        var bl = _device.Open();
        Assert.True(bl.InRecovery);
        return bl;
    }

    [Fact]
    public void Damaged_macs_then_a_recovery_signed_bundle_installs_and_the_device_leaves_recovery()
    {
        var bl = DeviceInRecovery();
        var image = _bundles.Open(_bundles.Recovery(App, V2, "2.0.0", 4));
        // The fresh log knows no confirmed slot, so the image goes to the first one (the unverifiable old bytes give way).
        var slot = bl.Install(image, image);
        Assert.False(bl.InRecovery);

        // A new power-on finds a log that verifies: the recovery image is the pending trial, and it confirms as any other.
        var next = _device.Open();
        Assert.False(next.InRecovery);
        var boot = next.Boot()[App];
        Assert.Equal((BootOutcome.Trial, slot), (boot.Outcome, boot.RunningSlot));
        Assert.Equal(V2, next.OpenImage(App, boot.RunningSlot).ReadAll());
        next.Confirm(App);
        Assert.Equal((ContainerState.Confirmed, 4u), (_device.Open().State(App).State, _device.Open().State(App).SecurityFloor));
    }

    [Fact]
    public void In_recovery_an_ordinary_bundle_and_a_recovery_bundle_signed_by_the_vendor_key_are_refused_and_nothing_is_written()
    {
        var bl = DeviceInRecovery();
        var ops = _device.Flash.OperationCount;
        var ordinary = _bundles.Open(_bundles.Full(App, V2, "2.0.0", 4));
        Assert.Contains(Assert.Throws<InstallRefusedException>(() => bl.Install(ordinary, ordinary)).Problems, p => p.Code == ReasonCodes.RecoveryState);
        var byVendor = _bundles.Open(_bundles.Recovery(App, V2, "2.0.0", 4, byVendor: true));
        Assert.Equal(ReasonCodes.SignerOutOfScope, Assert.Single(Assert.Throws<InstallRefusedException>(() => bl.Install(byVendor, byVendor)).Problems).Code);
        Assert.True(bl.InRecovery);
        Assert.Equal(ops, _device.Flash.OperationCount);
    }

    [Fact]
    public void In_recovery_a_recovery_bundle_below_the_counter_stores_floor_is_refused_and_nothing_is_written()
    {
        var bl = DeviceInRecovery();
        var ops = _device.Flash.OperationCount;
        // The confirmed 1.0.0 (counter 3) raised the counter store's floor; the damaged log does not lower it.
        var older = _bundles.Open(_bundles.Recovery(App, V2, "0.9.0", 2));
        Assert.Equal(ReasonCodes.CounterRollback, Assert.Single(Assert.Throws<InstallRefusedException>(() => bl.Install(older, older)).Problems).Code);
        Assert.True(bl.InRecovery);
        Assert.Equal(ops, _device.Flash.OperationCount);
    }

    [Fact]
    public void A_recovery_bundle_on_a_device_that_is_not_in_recovery_is_refused_and_nothing_is_written()
    {
        InstallAndConfirm(_bundles.Full(App, V1, "1.0.0", 3));
        var ops = _device.Flash.OperationCount;
        var image = _bundles.Open(_bundles.Recovery(App, V2, "2.0.0", 4));
        var refused = Assert.Throws<InstallRefusedException>(() => _device.Open().Install(image, image));
        Assert.Equal(ReasonCodes.NotInRecovery, Assert.Single(refused.Problems).Code);
        Assert.Equal(ops, _device.Flash.OperationCount);
    }
}
