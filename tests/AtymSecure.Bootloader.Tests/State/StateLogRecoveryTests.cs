using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Formats;

namespace AtymSecure.Bootloader.Tests.State;

/// <summary>
/// Issue 11 §2: a state log in which no record verifies is not a new device. Before this change both tests below
/// failed (seen): the bootloader formatted a fresh log on open, every container read empty and the install went through.
/// </summary>
public sealed class StateLogRecoveryTests
{
    private const string App = "app";
    private static readonly byte[] V1 = TestImages.Random(5000, 1);
    private static readonly byte[] V2 = TestImages.Evolve(V1, 2, 5200);

    private static SimDevice ConfirmedDevice()
    {
        var device = SimDevice.Create(FlashProfile.Nrf52Like, [new(App, 8192)]);
        device.Open().Install(TestImageSigner.Shared.Full(App, V1, "1.0.0", 3), TestImageSigner.SharedPreCheck);
        var bl = device.Open();
        Assert.Equal(BootOutcome.Trial, bl.Boot()[App].Outcome);
        bl.Confirm(App);
        return device;
    }

    /// <summary>Flips one bit of the MAC of every record with an intact CRC in both state halves.</summary>
    internal static int DamageEveryMac(SimDevice device)
    {
        var table = PartitionTableStore.Read(device.Flash);
        var stride = (StateRecordCodec.RecordSize(StateRecordFormat.V2) + 3) / 4 * 4;
        var damaged = 0;
        foreach (var half in new[] { table.StateHalf(0), table.StateHalf(1) })
            for (var at = half.Offset; at + stride <= half.End; at += stride)
                if (StateRecordCodec.HasIntactCrc(device.Flash.Content.Slice((int)at, stride)))
                {
                    device.Flash.InjectBitRot(at + 256, 0x01);
                    damaged++;
                }
        return damaged;
    }

    private static void AssertRecoveryHolds(SimulatedFlashView before, DeviceBootloader bl, SimDevice device)
    {
        Assert.True(bl.InRecovery);
        Assert.True(bl.LastScan.Recovery);
        Assert.Equal(BootOutcome.Recovery, bl.Boot()[App].Outcome);
        var refused = Assert.Throws<InstallRefusedException>(() => bl.Install(TestImageSigner.Shared.Full(App, V2, "2.0.0", 4), TestImageSigner.SharedPreCheck));
        Assert.Contains(refused.Problems, p => p.Code == ReasonCodes.RecoveryState);
        Assert.Throws<InvalidOperationException>(() => bl.Confirm(App));
        // Opening, booting and the refused install wrote nothing: every slot's bytes (and the log's) are kept.
        Assert.Equal(before.Operations, device.Flash.OperationCount);
        Assert.True(before.Content.AsSpan().SequenceEqual(device.Flash.Content), "recovery changed the flash");
    }

    private sealed record SimulatedFlashView(long Operations, byte[] Content)
    {
        public static SimulatedFlashView Of(SimDevice d) => new(d.Flash.OperationCount, d.Flash.Content.ToArray());
    }

    [Fact]
    public void A_damaged_mac_in_every_record_enters_recovery_instead_of_a_fresh_log()
    {
        var device = ConfirmedDevice();
        Assert.True(DamageEveryMac(device) >= 3);
        var before = SimulatedFlashView.Of(device);
        AssertRecoveryHolds(before, device.Open(), device);
        // Power-on again: still in recovery (nothing was "healed" by the first one).
        AssertRecoveryHolds(before, device.Open(), device);
    }

    [Fact]
    public void A_replaced_device_key_enters_recovery_instead_of_a_fresh_log()
    {
        var device = ConfirmedDevice();
        var before = SimulatedFlashView.Of(device);
        AssertRecoveryHolds(before, DeviceBootloader.Open(device.Flash, DeviceKey.Generate(), device.Options), device);
    }

    [Fact]
    public void Re_provisioning_leaves_recovery_with_a_fresh_log_and_the_slot_bytes_kept()
    {
        var device = ConfirmedDevice();
        DamageEveryMac(device);
        var bl = device.Open();
        var slotA = bl.Partitions.Slot(App, SlotId.A);
        var slotBytes = device.Flash.Content.Slice((int)slotA.Offset, V1.Length).ToArray();

        bl.Reprovision();

        Assert.False(bl.InRecovery);
        Assert.Equal(ContainerState.Empty, bl.State(App).State);
        Assert.Equal(V1, slotBytes);
        Assert.Equal(slotBytes, device.Flash.Content.Slice((int)slotA.Offset, V1.Length).ToArray());
        var reopened = device.Open();
        Assert.False(reopened.InRecovery);
        reopened.Install(TestImageSigner.Shared.Full(App, V2, "2.0.0", 4), TestImageSigner.SharedPreCheck);
        Assert.Equal(ContainerState.Pending, device.Open().State(App).State);
    }

    [Fact]
    public void Re_provisioning_a_healthy_device_is_refused()
    {
        var device = ConfirmedDevice();
        Assert.Throws<InvalidOperationException>(() => device.Open().Reprovision());
        Assert.Equal(ContainerState.Confirmed, device.Open().State(App).State);
    }
}
