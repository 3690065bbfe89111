using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.State;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Formats;

namespace AtymSecure.Bootloader.Tests.State;

/// <summary>
/// Issue 11 §2 / trust-model §3 steps 14 and 16, §4: the effective floor is max(state log, counter store), so a lost,
/// re-keyed or replayed log cannot bring an old genuine image back. The first three tests failed before the counter
/// store (seen: the old bundle installed, and the replayed log booted the old image).
/// </summary>
public sealed class CounterFloorTests
{
    private const string App = "app";
    private static readonly byte[] V1 = TestImages.Random(5000, 1);
    private static readonly byte[] V2 = TestImages.Evolve(V1, 2, 5200);
    private static readonly byte[] V3 = TestImages.Evolve(V2, 3, 5300);

    private static SignedTestImage Old => TestImageSigner.Shared.Full(App, V1, "1.0.0", 3);
    private static SignedTestImage Fix => TestImageSigner.Shared.Full(App, V2, "2.0.0", 5);

    private static SimDevice Device(int counterCapacity = SecurityCounterStore.DefaultCapacity)
    {
        var containers = new[] { new ContainerSlotRequest(App, 8192) };
        var g = FlashProfile.Nrf52Like.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.Nrf52Like, containers, counterCapacity: counterCapacity));
        var flash = new SimulatedNorFlash(g);
        DeviceBootloader.Provision(flash, LayoutPlanner.Plan(g, containers, counterCapacity: counterCapacity));
        return new SimDevice(flash, SimDevice.DefaultOptions());
    }

    private static void InstallAndConfirm(SimDevice device, SignedTestImage image)
    {
        device.Open().Install(image, TestImageSigner.SharedPreCheck);
        var bl = device.Open();
        Assert.Equal(BootOutcome.Trial, bl.Boot()[App].Outcome);
        bl.Confirm(App);
    }

    /// <summary>Flips one bit of the MAC of every record with an intact CRC in both state halves (as StateLogRecoveryTests does).</summary>
    private static void DamageEveryMac(SimDevice device)
    {
        var table = PartitionTableStore.Read(device.Flash);
        var stride = (StateRecordCodec.RecordSize(StateRecordFormat.V2) + 3) / 4 * 4;
        foreach (var half in new[] { table.StateHalf(0), table.StateHalf(1) })
            for (var at = half.Offset; at + stride <= half.End; at += stride)
                if (StateRecordCodec.HasIntactCrc(device.Flash.Content.Slice((int)at, stride)))
                    device.Flash.InjectBitRot(at + 256, 0x01);
    }

    private static void AssertRefused(DeviceBootloader bl, SignedTestImage image, string code)
    {
        var before = bl.State(App);
        var e = Assert.Throws<InstallRefusedException>(() => bl.Install(image, TestImageSigner.SharedPreCheck));
        Assert.Contains(e.Problems, p => p.Code == code);
        Assert.Equal(before, bl.State(App));
    }

    private static byte[] CounterRegion(SimDevice device)
    {
        var region = PartitionTableStore.Read(device.Flash).CounterRegion!;
        return device.Flash.Content.Slice((int)region.Offset, (int)region.Size).ToArray();
    }

    [Fact]
    public void After_damaged_macs_and_re_provisioning_the_old_genuine_bundle_is_still_refused()
    {
        var device = Device();
        InstallAndConfirm(device, Old);
        InstallAndConfirm(device, Fix);
        DamageEveryMac(device);
        var bl = device.Open();
        Assert.True(bl.InRecovery);
        Assert.Equal(5u, bl.State(App).SecurityFloor); // status in recovery still shows the floor
        var region = CounterRegion(device);

        bl.Reprovision();

        Assert.Equal(region, CounterRegion(device)); // re-provisioning never erases the counter store
        var fresh = device.Open();
        Assert.Equal(ContainerState.Empty, fresh.State(App).State);
        Assert.Equal(5u, fresh.State(App).SecurityFloor);
        AssertRefused(fresh, Old, ReasonCodes.CounterRollback);
        fresh.Install(Fix, TestImageSigner.SharedPreCheck); // an equal counter still installs
        Assert.Equal(ContainerState.Pending, device.Open().State(App).State);
    }

    [Fact]
    public void After_a_replaced_device_key_and_re_provisioning_the_old_genuine_bundle_is_still_refused()
    {
        var device = Device();
        InstallAndConfirm(device, Old);
        InstallAndConfirm(device, Fix);
        var newKey = DeviceKey.Generate();
        var bl = DeviceBootloader.Open(device.Flash, newKey, device.Options);
        Assert.True(bl.InRecovery);
        bl.Reprovision();
        AssertRefused(DeviceBootloader.Open(device.Flash, newKey, device.Options), Old, ReasonCodes.CounterRollback);
    }

    [Fact]
    public void A_replayed_old_genuine_log_does_not_boot_the_old_image()
    {
        var device = Device();
        InstallAndConfirm(device, Old);
        var table = PartitionTableStore.Read(device.Flash);
        var halves = new[] { table.StateHalf(0), table.StateHalf(1) };
        var oldLog = halves.Select(h => device.Flash.Content.Slice((int)h.Offset, (int)h.Size).ToArray()).ToArray();
        InstallAndConfirm(device, Fix);

        // The attacker writes the old halves back (genuine records, valid MACs) onto the part.
        for (var i = 0; i < 2; i++)
        {
            device.Flash.EraseSector(halves[i].Offset);
            var unit = device.Flash.Geometry.WriteAlignment;
            for (var at = 0; at < oldLog[i].Length; at += unit)
                if (oldLog[i].AsSpan(at, unit).ContainsAnyExcept(device.Flash.Geometry.ErasedValue))
                    device.Flash.Program(halves[i].Offset + at, oldLog[i].AsSpan(at, unit));
        }

        var bl = device.Open();
        Assert.False(bl.InRecovery);
        Assert.Equal(5u, bl.State(App).SecurityFloor);
        var replayed = device.Fork();
        var boot = bl.Boot()[App];
        Assert.False(boot.IsRunning, $"the replayed log booted counter 3 under floor 5 ({boot.Outcome})");
        AssertRefused(device.Open(), Old, ReasonCodes.CounterRollback);

        // Installing on the replayed device before any boot (a stopped device's `atym device install`) treats the image
        // below the floor as gone: no delta may apply to it, and the install of the fix goes through (it threw before).
        AssertRefused(replayed.Open(), TestImageSigner.Shared.Delta(App, V1, V3, "3.0.0", 6), ReasonCodes.DeltaWithoutBase);
        replayed.Open().Install(Fix, TestImageSigner.SharedPreCheck);
        var after = replayed.Open();
        Assert.Equal((ContainerState.Pending, SlotId.None), (after.State(App).State, after.State(App).ConfirmedSlot));
        Assert.Equal(BootOutcome.Trial, after.Boot()[App].Outcome);
    }

    [Fact]
    public void A_used_up_counter_store_refuses_a_higher_counter_up_front_but_an_equal_one_installs()
    {
        var device = Device();
        // 255 earlier bumps (the fast way: straight into the store of a container with nothing installed yet).
        var store = new SecurityCounterStore(device.Flash, PartitionTableStore.Read(device.Flash));
        for (uint v = 1; v <= 255; v++) store.Bump(0, v);
        var last = TestImageSigner.Shared.Full(App, V2, "2.0.0", 300);
        InstallAndConfirm(device, last); // the 256th entry
        var bl = device.Open();
        Assert.Equal(new SecurityCounterReading(300, 256, 0, 256), bl.CounterStore(App));
        Assert.True(bl.CounterStore(App)!.Exhausted);

        var ops = device.Flash.OperationCount;
        AssertRefused(bl, TestImageSigner.Shared.Full(App, V3, "3.0.0", 301), ReasonCodes.CounterExhausted);
        Assert.Equal(ops, device.Flash.OperationCount); // refused before any flash operation

        // The same counter needs no bump: a rebuild or operator rollback at the floor still installs and confirms.
        InstallAndConfirm(device, TestImageSigner.Shared.Full(App, V3, "3.0.1", 300));
        Assert.Equal(ContainerState.Confirmed, device.Open().State(App).State);
    }

    [Fact]
    public void A_cut_between_the_counter_program_and_the_confirm_record_finishes_the_confirm_at_power_on()
    {
        var device = Device();
        InstallAndConfirm(device, Old);
        device.Open().Install(Fix, TestImageSigner.SharedPreCheck);
        var bl = device.Open();
        Assert.Equal(BootOutcome.Trial, bl.Boot()[App].Outcome);
        // The confirm's first operation is the counter program; cut before its second (the state record).
        device.Flash.Arm(new FaultPlan { CutBeforeOperation = device.Flash.OperationCount + 2 });
        Assert.Throws<PowerCutException>(() => bl.Confirm(App));
        device.Flash.PowerOn();
        device.Flash.Arm(FaultPlan.None);

        var after = device.Open();
        Assert.Equal(5u, after.CounterStore(App)!.Floor);
        Assert.Equal(ContainerState.Confirmed, after.State(App).State);
        Assert.Equal(5u, after.State(App).SecurityFloor);
        Assert.Equal(V2.Length, (int)after.Boot()[App].RunningImage!.Value.Size);
    }

    [Fact]
    public void A_torn_counter_program_leaves_the_trial_running_at_the_old_floor_or_finishes_the_confirm()
    {
        var torn = 0;
        for (var seed = 0; seed < 12; seed++)
        {
            var device = Device();
            InstallAndConfirm(device, Old);
            device.Open().Install(Fix, TestImageSigner.SharedPreCheck);
            var bl = device.Open();
            bl.Boot();
            device.Flash.Arm(new FaultPlan { CutBeforeOperation = device.Flash.OperationCount + 1, CutKind = CutKind.TornProgram, Seed = seed });
            Assert.Throws<PowerCutException>(() => bl.Confirm(App));
            device.Flash.PowerOn();
            device.Flash.Arm(FaultPlan.None);

            var after = device.Open();
            var state = after.State(App);
            if (after.CounterStore(App)!.Floor == 5)
            {
                // Every moving bit landed: the entry is whole, so the confirm is finished as after a clean cut.
                Assert.Equal((ContainerState.Confirmed, 5u), (state.State, state.SecurityFloor));
                continue;
            }
            torn++;
            Assert.Equal((ContainerState.TrialBooted, 3u), (state.State, state.SecurityFloor));
            Assert.Equal(BootOutcome.Trial, after.Boot()[App].Outcome);
            after.Confirm(App);
            var done = device.Open();
            Assert.Equal(5u, done.CounterStore(App)!.Floor);
            Assert.Equal(ContainerState.Confirmed, done.State(App).State);
        }
        Assert.True(torn > 0, "no seed tore the counter program");
    }

    [Fact]
    public void A_v1_device_has_no_counter_store_and_keeps_log_only_floors()
    {
        var device = Device(counterCapacity: 0);
        InstallAndConfirm(device, Old);
        InstallAndConfirm(device, Fix);
        var bl = device.Open();
        Assert.False(bl.HasCounterStore);
        Assert.Null(bl.CounterStore(App));
        Assert.Equal(5u, bl.State(App).SecurityFloor);
        AssertRefused(bl, Old, ReasonCodes.CounterRollback);
        // What v1 cannot do (and status says so): a lost log takes its floors with it.
        DamageEveryMac(device);
        var recovering = device.Open();
        recovering.Reprovision();
        Assert.Equal(0u, device.Open().State(App).SecurityFloor);
    }
}
