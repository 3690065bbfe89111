using AtymSecure.Bootloader.Layout;

namespace AtymSecure.Bootloader.State;

/// <summary>Asked for a transition the state machine does not allow from the current state.</summary>
public sealed class InvalidTransitionException : Exception
{
    public InvalidTransitionException(string message) : base(message) { }
    public InvalidTransitionException() { }
    public InvalidTransitionException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// The state machine as pure functions from one record to the next; the caller appends the result
/// as one durable record. Keeping them pure lets tests walk every edge without flash.
/// </summary>
public static class ContainerTransitions
{
    /// <summary>The slot an install writes: the trial slot when one is reserved, else the one that is not confirmed.</summary>
    public static SlotId InstallTarget(ContainerRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.State is ContainerState.Installing or ContainerState.Pending) return r.TrialSlot;
        return r.ConfirmedSlot == SlotId.None ? SlotId.A : r.ConfirmedSlot.Other();
    }

    /// <summary>
    /// The record without a confirmed image below its floor. Only a state log older than the counter store (a replayed
    /// log) holds one: that image never boots again, so an install treats the container as having no confirmed image
    /// (no delta base, either slot may be written) instead of writing a record that breaks the floor invariant.
    /// </summary>
    public static ContainerRecord WithoutConfirmedBelowFloor(ContainerRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.ConfirmedImage is not { } confirmed || confirmed.SecurityCounter >= r.SecurityFloor) return r;
        var forgotten = r.WithSlot(r.ConfirmedSlot, SlotImageInfo.Absent) with { ConfirmedSlot = SlotId.None };
        return forgotten.State is ContainerState.Confirmed or ContainerState.Reverted ? forgotten with { State = ContainerState.Failed } : forgotten;
    }

    /// <summary>Any state but a running trial → Installing; the target slot is recorded as empty before it is erased.</summary>
    public static ContainerRecord BeginInstall(ContainerRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.State == ContainerState.TrialBooted)
            throw new InvalidTransitionException("a trial is running; confirm or reject it before installing another image");
        r = WithoutConfirmedBelowFloor(r);
        var target = InstallTarget(r);
        return r.WithSlot(target, SlotImageInfo.Absent) with
        {
            State = ContainerState.Installing,
            TrialSlot = target,
            AttemptsLeft = 0,
        };
    }

    /// <summary>Installing → Pending once the slot was written and read back matching.</summary>
    public static ContainerRecord FinishInstall(ContainerRecord r, SlotImageInfo written, byte attempts)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.State != ContainerState.Installing) throw new InvalidTransitionException($"cannot finish an install in state {r.State}");
        if (attempts == 0) throw new ArgumentOutOfRangeException(nameof(attempts), "a trial needs at least one attempt");
        return r.WithSlot(r.TrialSlot, written with { Verified = false }) with { State = ContainerState.Pending, AttemptsLeft = attempts };
    }

    /// <summary>Pending/TrialBooted → TrialBooted with one attempt used (recorded before the start, so a crash counts).</summary>
    public static ContainerRecord StartTrial(ContainerRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.State is not (ContainerState.Pending or ContainerState.TrialBooted) || r.AttemptsLeft == 0)
            throw new InvalidTransitionException($"cannot start a trial in state {r.State} with {r.AttemptsLeft} attempts left");
        var trial = r.Slot(r.TrialSlot).AsVerified();
        return r.WithSlot(r.TrialSlot, trial) with { State = ContainerState.TrialBooted, AttemptsLeft = (byte)(r.AttemptsLeft - 1) };
    }

    /// <summary>TrialBooted → Confirmed: the trial slot becomes the confirmed one and the security floor advances.</summary>
    public static ContainerRecord Confirm(ContainerRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.State != ContainerState.TrialBooted) throw new InvalidTransitionException($"nothing to confirm in state {r.State}");
        var trial = r.Slot(r.TrialSlot);
        return r with
        {
            State = ContainerState.Confirmed,
            ConfirmedSlot = r.TrialSlot,
            TrialSlot = SlotId.None,
            AttemptsLeft = 0,
            SecurityFloor = Math.Max(r.SecurityFloor, trial.SecurityCounter),
        };
    }

    /// <summary>
    /// A trial that failed (health, attempts used up, or verification) → Reverted to the confirmed
    /// image, or Failed when there is none. The rejected image is forgotten so it is never booted.
    /// </summary>
    public static ContainerRecord RevertTrial(ContainerRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.State is not (ContainerState.Pending or ContainerState.TrialBooted))
            throw new InvalidTransitionException($"no trial to revert in state {r.State}");
        var reverted = r.WithSlot(r.TrialSlot, SlotImageInfo.Absent) with { TrialSlot = SlotId.None, AttemptsLeft = 0 };
        return reverted with { State = r.ConfirmedSlot == SlotId.None ? ContainerState.Failed : ContainerState.Reverted };
    }

    /// <summary>The confirmed slot hashed correctly for the first time: remember it (MACed) so later boots skip the hash.</summary>
    public static ContainerRecord MarkConfirmedVerified(ContainerRecord r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return r.WithSlot(r.ConfirmedSlot, r.Slot(r.ConfirmedSlot).AsVerified());
    }

    /// <summary>
    /// The confirmed slot failed verification: fall back to the other slot when it holds an image
    /// at or above the security floor (caller has verified it), else the container has failed.
    /// </summary>
    public static ContainerRecord ConfirmedSlotBad(ContainerRecord r, bool otherSlotVerified)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (r.ConfirmedSlot == SlotId.None) throw new InvalidTransitionException("no confirmed slot");
        var bad = r.ConfirmedSlot;
        var other = bad.Other();
        var cleared = r.WithSlot(bad, SlotImageInfo.Absent);
        if (otherSlotVerified && CanFallBackTo(r, other) && r.State is ContainerState.Confirmed or ContainerState.Reverted)
            return cleared.WithSlot(other, r.Slot(other).AsVerified()) with { ConfirmedSlot = other };
        var failed = cleared with { State = ContainerState.Failed, ConfirmedSlot = SlotId.None, TrialSlot = SlotId.None, AttemptsLeft = 0 };
        // A slot that is neither confirmed nor on trial is not worth keeping in a failed container.
        return failed.WithSlot(other, SlotImageInfo.Absent);
    }

    /// <summary>Whether the other slot may become the confirmed one (holds an image not below the floor).</summary>
    public static bool CanFallBackTo(ContainerRecord r, SlotId other)
    {
        ArgumentNullException.ThrowIfNull(r);
        var info = r.Slot(other);
        return info.Present && info.SecurityCounter >= r.SecurityFloor && r.TrialSlot != other;
    }
}
