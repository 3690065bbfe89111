using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.Support;
using static AtymSecure.Bootloader.Tests.Support.TwoContainerDevice;

namespace AtymSecure.Bootloader.Tests.Boot;

public sealed class BootSelectionTests
{
    private readonly TwoContainerDevice _d = new();

    private void StartTrialOfV2()
    {
        _d.InstallConfirmed(Signer.Full(App, _d.V1, "1.0.0", 1));
        _d.Open().Install(Signer.Full(App, _d.V2, "2.0.0", 2), PreCheck);
    }

    [Fact]
    public void A_crash_loop_uses_up_the_attempts_then_reverts_to_the_confirmed_image()
    {
        StartTrialOfV2();
        for (var expectedLeft = 2; expectedLeft >= 0; expectedLeft--)
        {
            var bl = _d.Open();
            var result = bl.Boot()[App];
            Assert.Equal(BootOutcome.Trial, result.Outcome);
            Assert.Equal(expectedLeft, bl.State(App).AttemptsLeft); // decremented before the start
            Assert.Equal(_d.V2, bl.OpenImage(App, result.RunningSlot).ReadAll());
            // ...and the container crashes: no confirm.
        }
        var after = _d.Open();
        var reverted = after.Boot()[App];
        Assert.Equal(BootOutcome.Reverted, reverted.Outcome);
        Assert.Equal(ContainerState.Reverted, after.State(App).State);
        Assert.Equal(_d.V1, after.OpenImage(App, reverted.RunningSlot).ReadAll());
        Assert.False(after.State(App).SlotB.Present); // the rejected image is never booted again
        Assert.Equal(1u, after.State(App).SecurityFloor);
        Assert.Equal(BootOutcome.Confirmed, _d.Open().Boot()[App].Outcome);
    }

    [Fact]
    public void A_failed_health_check_reverts_at_once()
    {
        StartTrialOfV2();
        var bl = _d.Open();
        Assert.Equal(BootOutcome.Trial, bl.Boot()[App].Outcome);
        bl.Reject(App);
        Assert.Equal(ContainerState.Reverted, bl.State(App).State);
        Assert.Equal(_d.V1, _d.Running(_d.Open(), App));
    }

    [Fact]
    public void The_rollback_floor_advances_only_when_a_trial_is_confirmed()
    {
        StartTrialOfV2();
        Assert.Equal(1u, _d.Open().State(App).SecurityFloor);
        var bl = _d.Open();
        bl.Boot();
        Assert.Equal(1u, bl.State(App).SecurityFloor);
        bl.Confirm(App);
        Assert.Equal(2u, bl.State(App).SecurityFloor);
        Assert.Equal(2u, _d.Open().State(App).SecurityFloor);
    }

    [Fact]
    public void Confirm_without_a_running_trial_is_an_invalid_transition()
    {
        _d.InstallConfirmed(Signer.Full(App, _d.V1, "1.0.0", 1));
        Assert.Throws<InvalidTransitionException>(() => _d.Open().Confirm(App));
        Assert.Throws<InvalidTransitionException>(() => _d.Open().Reject(App));
    }

    [Fact]
    public void A_trial_slot_damaged_after_install_fails_its_first_boot_hash_and_the_old_image_runs()
    {
        StartTrialOfV2();
        var slotB = _d.Open().Partitions.Slot(App, SlotId.B);
        Corrupt(slotB.Offset + 5000);
        var bl = _d.Open();
        var result = bl.Boot()[App];
        Assert.Equal(BootOutcome.Reverted, result.Outcome);
        Assert.True(result.BytesHashed >= _d.V2.Length, "the full trial image was hashed");
        Assert.Equal(_d.V1, bl.OpenImage(App, result.RunningSlot).ReadAll());
    }

    [Fact]
    public void A_confirmed_slot_that_fails_verification_falls_back_to_the_other_slot()
    {
        var opts = SimDevice.DefaultOptions() with { Verification = BootVerification.EveryBoot };
        var d = new TwoContainerDevice(options: opts);
        d.InstallConfirmed(Signer.Full(App, d.V1, "1.0.0", 1));
        d.InstallConfirmed(Signer.Full(App, d.V2, "2.0.0", 1)); // same counter: v1 stays an allowed fallback
        var slotB = d.Open().Partitions.Slot(App, SlotId.B);
        CorruptOn(d, slotB.Offset + 10);
        var bl = d.Open();
        var result = bl.Boot()[App];
        Assert.Equal(BootOutcome.FellBack, result.Outcome);
        Assert.Equal(SlotId.A, result.RunningSlot);
        Assert.Equal(d.V1, bl.OpenImage(App, SlotId.A).ReadAll());
    }

    [Fact]
    public void No_fallback_below_the_rollback_floor_the_container_fails_and_the_others_boot_on()
    {
        var opts = SimDevice.DefaultOptions() with { Verification = BootVerification.EveryBoot };
        var d = new TwoContainerDevice(options: opts);
        d.InstallConfirmed(Signer.Full(Sensor, d.S1, "1.0.0", 1));
        d.InstallConfirmed(Signer.Full(App, d.V1, "1.0.0", 1));
        d.InstallConfirmed(Signer.Full(App, d.V2, "2.0.0", 2)); // floor 2: v1 (counter 1) may not come back
        CorruptOn(d, d.Open().Partitions.Slot(App, SlotId.B).Offset);
        var report = d.Open().Boot();
        Assert.Equal(BootOutcome.Failed, report[App].Outcome);
        Assert.False(report[App].IsRunning);
        Assert.Equal(BootOutcome.Confirmed, report[Sensor].Outcome);
        Assert.Equal(ContainerState.Failed, d.Open().State(App).State);
        // A failed container can be installed again (floor still enforced).
        Assert.Throws<AtymSecure.Bootloader.Install.InstallRefusedException>(() => d.Open().Install(Signer.Full(App, d.V1, "1.0.0", 1), PreCheck));
        d.InstallConfirmed(Signer.Full(App, d.V2, "2.0.1", 2));
        Assert.Equal(BootOutcome.Confirmed, d.Open().Boot()[App].Outcome);
    }

    [Fact]
    public void A_first_install_that_fails_its_trial_marks_only_that_container_failed()
    {
        _d.InstallConfirmed(Signer.Full(Sensor, _d.S1, "1.0.0", 1));
        _d.Open().Install(Signer.Full(App, _d.V1, "1.0.0", 1), PreCheck);
        var bl = _d.Open();
        Assert.Equal(BootOutcome.Trial, bl.Boot()[App].Outcome);
        bl.Reject(App);
        var report = _d.Open().Boot();
        Assert.Equal(BootOutcome.Failed, report[App].Outcome);
        Assert.Equal(BootOutcome.Confirmed, report[Sensor].Outcome);
    }

    [Fact]
    public void Boot_cost_is_a_full_hash_on_the_first_trial_boot_and_then_only_the_MACed_record()
    {
        StartTrialOfV2();
        var first = _d.Open().Boot()[App];
        Assert.Equal(_d.V2.Length, first.BytesHashed);
        var bl = _d.Open();
        var second = bl.Boot()[App];
        Assert.Equal(0, second.BytesHashed);
        bl.Confirm(App);
        Assert.Equal(0, _d.Open().Boot()[App].BytesHashed);

        var paranoid = new DeviceBootloaderFactory(_d.Device, BootVerification.EveryBoot);
        Assert.Equal(_d.V2.Length, paranoid.Open().Boot()[App].BytesHashed);
    }

    private void Corrupt(long offset) => CorruptOn(_d, offset);

    /// <summary>Bit rot in one byte of an installed image.</summary>
    private static void CorruptOn(TwoContainerDevice d, long offset) => d.Flash.InjectBitRot(offset, 0x10);

    private sealed class DeviceBootloaderFactory(SimDevice device, BootVerification mode)
    {
        public DeviceBootloader Open() => DeviceBootloader.Open(device.Flash, device.Key, device.Options with { Verification = mode });
    }
}
