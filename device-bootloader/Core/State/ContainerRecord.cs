using AtymSecure.Bootloader.Layout;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.State;

/// <summary>
/// The durable state of one container: its state-machine state, which slot is confirmed and which
/// is on trial, trial attempts left, the security floor, and what each slot holds.
/// One of these is appended to the state log per transition.
/// </summary>
public sealed record ContainerRecord(
    int ContainerIndex,
    ContainerState State,
    SlotId ConfirmedSlot,
    SlotId TrialSlot,
    byte AttemptsLeft,
    uint SecurityFloor,
    SlotImageInfo SlotA,
    SlotImageInfo SlotB)
{
    public static ContainerRecord Empty(int containerIndex) =>
        new(containerIndex, ContainerState.Empty, SlotId.None, SlotId.None, 0, 0, SlotImageInfo.Absent, SlotImageInfo.Absent);

    public SlotImageInfo Slot(SlotId slot) => slot switch
    {
        SlotId.A => SlotA,
        SlotId.B => SlotB,
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "slot must be A or B"),
    };

    public ContainerRecord WithSlot(SlotId slot, SlotImageInfo info) => slot switch
    {
        SlotId.A => this with { SlotA = info },
        SlotId.B => this with { SlotB = info },
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "slot must be A or B"),
    };

    /// <summary>The image a boot would run when no trial is active (null when none).</summary>
    public SlotImageInfo? ConfirmedImage => ConfirmedSlot == SlotId.None ? null : Slot(ConfirmedSlot);

    /// <summary>Every way this record breaks the state-machine invariants (empty = consistent), with <see cref="ContainerRecordProblemCodes"/> codes.</summary>
    public IReadOnlyList<Problem> Validate()
    {
        var p = new List<Problem>();
        void Add(string code, string path, string message) => p.Add(new Problem(code, path, message));
        if (ContainerIndex is < 0 or > ushort.MaxValue) Add(ContainerRecordProblemCodes.OutOfRange, "containerIndex", $"container index {ContainerIndex} out of range");
        if (!Enum.IsDefined(State)) Add(ContainerRecordProblemCodes.UnknownValue, "state", $"unknown state {(byte)State}");
        if (!Enum.IsDefined(ConfirmedSlot)) Add(ContainerRecordProblemCodes.UnknownValue, "confirmedSlot", $"unknown confirmed slot {(byte)ConfirmedSlot}");
        if (!Enum.IsDefined(TrialSlot)) Add(ContainerRecordProblemCodes.UnknownValue, "trialSlot", $"unknown trial slot {(byte)TrialSlot}");
        if (p.Count > 0) return p;

        if (TrialSlot != SlotId.None && TrialSlot == ConfirmedSlot) Add(ContainerRecordProblemCodes.TrialIsConfirmed, "trialSlot", "trial slot equals confirmed slot");
        if (ConfirmedSlot != SlotId.None)
        {
            var confirmed = Slot(ConfirmedSlot);
            if (!confirmed.Present) Add(ContainerRecordProblemCodes.ConfirmedSlotEmpty, "confirmedSlot", $"confirmed slot {ConfirmedSlot} holds no image");
            else if (confirmed.SecurityCounter < SecurityFloor)
                Add(ContainerRecordProblemCodes.BelowFloor, "securityFloor", $"confirmed image counter {confirmed.SecurityCounter} is below the floor {SecurityFloor}");
        }
        foreach (var (s, path) in new[] { (SlotA, "slotA"), (SlotB, "slotB") })
        {
            if (!s.Present && (s.Verified || s.Size != 0 || s.Version is not null)) Add(ContainerRecordProblemCodes.AbsentSlotWithDetails, path, "an absent slot carries image details");
            if (s.Present && s.Version is null) Add(ContainerRecordProblemCodes.PresentSlotWithoutVersion, path, "a present slot has no version");
        }

        var trialExpected = State is ContainerState.Installing or ContainerState.Pending or ContainerState.TrialBooted;
        if (trialExpected && TrialSlot == SlotId.None) Add(ContainerRecordProblemCodes.TrialSlotExpected, "trialSlot", $"state {State} needs a trial slot");
        if (!trialExpected && TrialSlot != SlotId.None) Add(ContainerRecordProblemCodes.TrialSlotUnexpected, "trialSlot", $"state {State} must not have a trial slot");
        if (!trialExpected && AttemptsLeft != 0) Add(ContainerRecordProblemCodes.AttemptsUnexpected, "attemptsLeft", $"state {State} must not have attempts left");

        switch (State)
        {
            case ContainerState.Empty when ConfirmedSlot != SlotId.None || SlotA.Present || SlotB.Present:
                Add(ContainerRecordProblemCodes.StateMismatch, "state", "empty container holds images");
                break;
            case ContainerState.Installing when TrialSlot != SlotId.None && Slot(TrialSlot).Present:
                Add(ContainerRecordProblemCodes.StateMismatch, "trialSlot", "slot being installed must be recorded as absent");
                break;
            case ContainerState.Pending when TrialSlot != SlotId.None && !Slot(TrialSlot).Present:
                Add(ContainerRecordProblemCodes.StateMismatch, "trialSlot", "pending trial slot holds no image");
                break;
            case ContainerState.TrialBooted when TrialSlot != SlotId.None && (!Slot(TrialSlot).Present || !Slot(TrialSlot).Verified):
                Add(ContainerRecordProblemCodes.StateMismatch, "trialSlot", "trial-booted slot must hold a verified image");
                break;
            case ContainerState.Confirmed or ContainerState.Reverted when ConfirmedSlot == SlotId.None:
                Add(ContainerRecordProblemCodes.StateMismatch, "confirmedSlot", $"state {State} needs a confirmed slot");
                break;
        }
        return p;
    }

    public override string ToString() =>
        $"#{ContainerIndex} {State} confirmed={ConfirmedSlot} trial={TrialSlot} attempts={AttemptsLeft} floor={SecurityFloor} A={SlotA} B={SlotB}";
}
