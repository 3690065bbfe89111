using System.Diagnostics;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;

namespace AtymSecure.Bootloader.Boot;

/// <summary>
/// Boot selection, one container at a time: a pending or trial image with attempts left runs
/// (the attempt is recorded before the start, so a crash or watchdog reset counts); out of
/// attempts or failing verification it reverts to the confirmed image; a confirmed slot that
/// fails verification falls back to the other slot (if not below the security floor); a container
/// with no valid slot is marked failed and the others still boot. Built per call by <see cref="DeviceBootloader"/>.
/// </summary>
internal sealed class BootSelector(IFlash flash, ContainerStateStore store, BootloaderOptions options)
{
    private readonly IFlash _flash = flash;
    private readonly ContainerStateStore _store = store;
    private readonly BootloaderOptions _options = options;

    public BootReport BootAll()
    {
        var results = new List<ContainerBootResult>();
        for (var i = 0; i < _store.Table.ContainerNames.Count; i++) results.Add(BootOne(i));
        return new BootReport(results);
    }

    public ContainerBootResult BootOne(int index)
    {
        var run = new Run(this, index);
        var r = _store.Get(index);
        return r.State switch
        {
            ContainerState.Empty => run.Result(BootOutcome.NotInstalled, r, SlotId.None),
            ContainerState.Failed => run.Result(BootOutcome.Failed, r, SlotId.None),
            ContainerState.Installing => run.RunConfirmed(r, BootOutcome.Confirmed),
            ContainerState.Pending or ContainerState.TrialBooted => run.RunTrial(r),
            _ => run.RunConfirmed(r, BootOutcome.Confirmed),
        };
    }

    /// <summary>Book-keeping of one container's boot (cost counters) and the decisions themselves.</summary>
    private sealed class Run(BootSelector owner, int index)
    {
        private readonly Stopwatch _hashTime = new();
        private long _bytesHashed;
        private int _records;

        public ContainerBootResult RunTrial(ContainerRecord r)
        {
            var trial = r.Slot(r.TrialSlot);
            var mustHash = !trial.Verified || owner._options.Verification == BootVerification.EveryBoot;
            if (r.AttemptsLeft == 0 || (mustHash && !Verify(r.TrialSlot, trial)))
            {
                var reverted = Commit(ContainerTransitions.RevertTrial(r));
                return reverted.State == ContainerState.Failed
                    ? Result(BootOutcome.Failed, reverted, SlotId.None)
                    : RunConfirmed(reverted, BootOutcome.Reverted);
            }
            var started = Commit(ContainerTransitions.StartTrial(r));
            return Result(BootOutcome.Trial, started, started.TrialSlot);
        }

        public ContainerBootResult RunConfirmed(ContainerRecord r, BootOutcome okOutcome)
        {
            if (r.ConfirmedSlot == SlotId.None)
                return Result(r.State == ContainerState.Installing ? BootOutcome.NotInstalled : BootOutcome.Failed, r, SlotId.None);
            var info = r.Slot(r.ConfirmedSlot);
            // Below the counter store's floor only when the log was replayed or rolled back: never run it.
            var belowFloor = info.SecurityCounter < r.SecurityFloor;
            var mustHash = !info.Verified || owner._options.Verification == BootVerification.EveryBoot;
            if (!belowFloor && !mustHash) return Result(okOutcome, r, r.ConfirmedSlot);
            if (!belowFloor && Verify(r.ConfirmedSlot, info))
            {
                var marked = Commit(ContainerTransitions.MarkConfirmedVerified(r));
                return Result(okOutcome, marked, marked.ConfirmedSlot);
            }
            var other = r.ConfirmedSlot.Other();
            var otherOk = ContainerTransitions.CanFallBackTo(r, other) && Verify(other, r.Slot(other));
            var after = Commit(ContainerTransitions.ConfirmedSlotBad(r, otherOk));
            return after.State == ContainerState.Failed
                ? Result(BootOutcome.Failed, after, SlotId.None)
                : Result(BootOutcome.FellBack, after, after.ConfirmedSlot);
        }

        public ContainerBootResult Result(BootOutcome outcome, ContainerRecord r, SlotId running) =>
            new(owner._store.Table.ContainerNames[index], outcome, running,
                running == SlotId.None ? null : r.Slot(running), r.State, _bytesHashed, _hashTime.Elapsed, _records);

        private bool Verify(SlotId slot, SlotImageInfo info)
        {
            var partition = owner._store.Table.Slot(owner._store.Table.ContainerNames[index], slot);
            _hashTime.Start();
            try
            {
                _bytesHashed += Math.Min(info.Size, partition.Size);
                return SlotHasher.Matches(owner._flash, partition, info);
            }
            finally
            {
                _hashTime.Stop();
            }
        }

        private ContainerRecord Commit(ContainerRecord next)
        {
            if (owner._store.Commit(next)) _records++;
            return next;
        }
    }
}
