using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Install;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;

namespace AtymSecure.Bootloader;

/// <summary>
/// Entry point for device code (the runtime, the update agent, tests): open a provisioned part,
/// boot, install, confirm or reject. Each instance is one power-on of the device; after a power
/// cut, open a new one on the same flash.
/// </summary>
public sealed class DeviceBootloader
{
    private readonly IFlash _flash;
    private readonly ContainerStateStore _store;

    private DeviceBootloader(IFlash flash, ContainerStateStore store, BootloaderOptions options, StateLogScan scan)
    {
        _flash = flash;
        _store = store;
        Options = options;
        LastScan = scan;
    }

    public BootloaderOptions Options { get; }

    public PartitionTable Partitions => _store.Table;

    /// <summary>What recovery found in the state log when this instance was opened.</summary>
    public StateLogScan LastScan { get; private set; }

    /// <summary>
    /// The state log holds records of which none verifies (damaged MACs, a replaced device key): nothing boots, every
    /// install but a recovery image (a bundle signed by a recovery key) is refused with <c>recovery-state</c>, every
    /// slot's bytes are kept, until <see cref="Reprovision"/> or the install of a recovery image, which leaves recovery
    /// the same way before it writes its slot.
    /// </summary>
    public bool InRecovery => _store.Log.InRecovery;

    /// <summary>
    /// Operator re-provisioning out of recovery: a fresh state log (every container empty), slot bytes kept. Refused
    /// on a device that is not in recovery, so a healthy log is never thrown away by mistake. The counter store is
    /// never erased: the floors of the rebuilt log's containers are the store's, so an old genuine bundle is still
    /// refused with <c>counter-rollback</c> (on a v1 table, which has no store, the floors start again at 0).
    /// </summary>
    public void Reprovision()
    {
        if (IsReadOnly) throw new InvalidOperationException("this bootloader was opened read-only (a status query); it does not re-provision");
        if (!InRecovery) throw new InvalidOperationException("the device is not in recovery; re-provisioning would forget a state log that verifies");
        LeaveRecovery();
    }

    /// <summary>The one way out of recovery, for re-provisioning and for a recovery image alike: a fresh state log.</summary>
    private void LeaveRecovery() => LastScan = _store.Log.Reformat();

    /// <summary>Factory provisioning: writes the partition table (the state log formats itself on first open).</summary>
    public static void Provision(IFlash flash, PartitionTable table) => PartitionTableStore.Provision(flash, table);

    /// <summary>Power-on: reads the partition table and recovers the state log (newest valid record per container).</summary>
    public static DeviceBootloader Open(IFlash flash, DeviceKey key, BootloaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(flash);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        return Open(flash, key, options, mayWrite: true);
    }

    /// <summary>
    /// Power-on for a read-only command (<c>atym device status</c>): reads the table and the state log and never
    /// programs or erases, not even to format a fresh log. Boot, install, confirm and reject are refused on it.
    /// </summary>
    public static DeviceBootloader OpenReadOnly(IFlash flash, DeviceKey key, BootloaderOptions options)
    {
        ArgumentNullException.ThrowIfNull(flash);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(options);
        return Open(flash, key, options, mayWrite: false);
    }

    private static DeviceBootloader Open(IFlash flash, DeviceKey key, BootloaderOptions options, bool mayWrite)
    {
        var table = PartitionTableStore.Read(flash);
        var log = new StateLog(flash, table, key);
        var scan = log.Recover(mayWrite);
        var counters = table.CounterRegion is null ? null : new SecurityCounterStore(flash, table);
        var store = new ContainerStateStore(table, log, counters);
        if (mayWrite && !log.InRecovery) FinishInterruptedConfirms(store);
        return new DeviceBootloader(flash, store, options, scan) { IsReadOnly = !mayWrite };
    }

    /// <summary>
    /// A confirm raises the floor in the counter store first and then appends the confirmed record, so the store entry
    /// is the commit point: a cut between the two leaves a running trial whose counter is the store's new floor. That
    /// confirm is finished here (the health check had passed), rather than left to a revert whose confirmed image would
    /// now be below the floor.
    /// </summary>
    private static void FinishInterruptedConfirms(ContainerStateStore store)
    {
        if (store.Counters is null) return;
        for (var i = 0; i < store.Table.ContainerNames.Count; i++)
        {
            var logged = store.Logged(i);
            var floor = store.Counter(i)!.Floor;
            if (logged.State == ContainerState.TrialBooted && floor > logged.SecurityFloor && logged.Slot(logged.TrialSlot).SecurityCounter == floor)
                store.Commit(ContainerTransitions.Confirm(store.Get(i)));
        }
    }

    /// <summary>True when the partition table (v2) has a write-once counter store; a v1 device keeps floors in the log only.</summary>
    public bool HasCounterStore => _store.Counters is not null;

    /// <summary>The container's counter-store entries (floor, used, capacity), or null on a v1 device without a store.</summary>
    public SecurityCounterReading? CounterStore(string container)
    {
        var index = _store.Table.ContainerIndex(container);
        if (index < 0) throw new ArgumentException($"no container '{container}' on this device", nameof(container));
        return _store.Counter(index);
    }

    /// <summary>Opened by <see cref="OpenReadOnly"/>: every call that would write is refused.</summary>
    public bool IsReadOnly { get; private init; }

    /// <summary>Current durable state of a container.</summary>
    public ContainerRecord State(string container) => _store.Get(container);

    /// <summary>Selects what runs for every container (may write state records: attempts, reverts).</summary>
    public BootReport Boot()
    {
        ThrowIfReadOnly();
        if (InRecovery) return new BootReport([.. _store.Table.ContainerNames.Select(RecoveryResult)]);
        return new BootSelector(_flash, _store, Options).BootAll();
    }

    /// <summary>
    /// Boot selection for one container only (a running device restarts that container into a newly
    /// installed trial without touching the others' attempt counters).
    /// </summary>
    public ContainerBootResult Boot(string container)
    {
        ThrowIfReadOnly();
        var index = _store.Table.ContainerIndex(container);
        if (index < 0) throw new ArgumentException($"no container '{container}' on this device", nameof(container));
        if (InRecovery) return RecoveryResult(container);
        return new BootSelector(_flash, _store, Options).BootOne(index);
    }

    /// <summary>Verifies and writes an image to the container's inactive slot as a pending trial.</summary>
    public SlotId Install(IInstallImage image, IInstallPreCheck preCheck)
    {
        ThrowIfReadOnly();
        return new ContainerInstaller(_flash, _store, Options, LeaveRecovery).Install(image, preCheck);
    }

    /// <summary>
    /// Runtime health check passed: the running trial becomes the confirmed image and the floor advances to its
    /// counter (trust-model §3 step 16) — first in the write-once counter store (synced), then in the state log; see
    /// <see cref="FinishInterruptedConfirms"/> for a cut between the two.
    /// </summary>
    /// <exception cref="SecurityCounterExhaustedException">The floor would rise but the container's counter entries are
    /// used up (reachable only when torn bumps used the last entries after the install was checked): nothing changes, the
    /// trial keeps running, and rejecting it reverts as usual.</exception>
    public void Confirm(string container)
    {
        ThrowIfReadOnly();
        ThrowIfRecovery();
        var current = _store.Get(container);
        var confirmed = ContainerTransitions.Confirm(current);
        _store.RaiseFloor(current.ContainerIndex, confirmed.SecurityFloor);
        _store.Commit(confirmed);
    }

    /// <summary>Runtime health check failed: revert now instead of waiting for attempts to run out.</summary>
    public void Reject(string container)
    {
        ThrowIfReadOnly();
        ThrowIfRecovery();
        _store.Commit(ContainerTransitions.RevertTrial(_store.Get(container)));
    }

    private static ContainerBootResult RecoveryResult(string container) =>
        new(container, BootOutcome.Recovery, SlotId.None, null, ContainerState.Empty, 0, TimeSpan.Zero, 0);

    private void ThrowIfRecovery()
    {
        if (InRecovery) throw new InvalidOperationException("the device is in recovery (no state record verifies); nothing runs, so there is no trial to confirm or reject");
    }

    private void ThrowIfReadOnly()
    {
        if (IsReadOnly) throw new InvalidOperationException("this bootloader was opened read-only (a status query); it does not boot, install, confirm or reject");
    }

    /// <summary>Reads an image the state says a slot holds (e.g. what a boot selected to run).</summary>
    public FlashSlotReader OpenImage(string container, SlotId slot)
    {
        var info = _store.Get(container).Slot(slot);
        if (!info.Present) throw new InvalidOperationException($"slot {slot} of '{container}' holds no image");
        return new FlashSlotReader(_flash, _store.Table.Slot(container, slot), info.Size);
    }
}
