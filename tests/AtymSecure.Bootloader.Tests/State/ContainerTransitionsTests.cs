using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;

namespace AtymSecure.Bootloader.Tests.State;

public sealed class ContainerTransitionsTests
{
    private static readonly SlotImageInfo V1 = TestRecords.Image(1, verified: true) with { SecurityCounter = 1 };
    private static readonly SlotImageInfo V2 = TestRecords.Image(2, verified: false) with { SecurityCounter = 2 };

    private static ContainerRecord ConfirmedV1 => ContainerRecord.Empty(0) with { State = ContainerState.Confirmed, ConfirmedSlot = SlotId.A, SecurityFloor = 1, SlotA = V1 };

    [Fact]
    public void The_happy_path_walks_installing_pending_trial_confirmed_and_every_step_is_consistent()
    {
        var installing = ContainerTransitions.BeginInstall(ConfirmedV1);
        Assert.Equal((ContainerState.Installing, SlotId.B), (installing.State, installing.TrialSlot));
        var pending = ContainerTransitions.FinishInstall(installing, V2, 3);
        var trial = ContainerTransitions.StartTrial(pending);
        Assert.Equal((ContainerState.TrialBooted, (byte)2, true), (trial.State, trial.AttemptsLeft, trial.SlotB.Verified));
        var confirmed = ContainerTransitions.Confirm(trial);
        Assert.Equal((ContainerState.Confirmed, SlotId.B, 2u), (confirmed.State, confirmed.ConfirmedSlot, confirmed.SecurityFloor));
        foreach (var r in new[] { installing, pending, trial, confirmed }) Assert.Empty(r.Validate());
    }

    [Fact]
    public void Reverting_forgets_the_trial_image_and_keeps_the_floor()
    {
        var trial = ContainerTransitions.StartTrial(ContainerTransitions.FinishInstall(ContainerTransitions.BeginInstall(ConfirmedV1), V2, 1));
        var reverted = ContainerTransitions.RevertTrial(trial);
        Assert.Equal(ContainerState.Reverted, reverted.State);
        Assert.False(reverted.SlotB.Present);
        Assert.Equal(1u, reverted.SecurityFloor);
        Assert.Throws<InvalidTransitionException>(() => ContainerTransitions.StartTrial(trial with { AttemptsLeft = 0 }));
    }

    [Fact]
    public void Without_a_confirmed_image_a_failed_trial_is_a_failed_container()
    {
        var first = ContainerTransitions.StartTrial(ContainerTransitions.FinishInstall(ContainerTransitions.BeginInstall(ContainerRecord.Empty(0)), V2, 1));
        Assert.Equal(ContainerState.Failed, ContainerTransitions.RevertTrial(first).State);
    }

    [Fact]
    public void Illegal_transitions_are_refused()
    {
        var trial = ContainerTransitions.StartTrial(ContainerTransitions.FinishInstall(ContainerTransitions.BeginInstall(ConfirmedV1), V2, 2));
        Assert.Throws<InvalidTransitionException>(() => ContainerTransitions.BeginInstall(trial));
        Assert.Throws<InvalidTransitionException>(() => ContainerTransitions.Confirm(ConfirmedV1));
        Assert.Throws<InvalidTransitionException>(() => ContainerTransitions.RevertTrial(ConfirmedV1));
        Assert.Throws<InvalidTransitionException>(() => ContainerTransitions.FinishInstall(ConfirmedV1, V2, 3));
        Assert.Throws<InvalidTransitionException>(() => ContainerTransitions.StartTrial(ConfirmedV1));
    }

    [Fact]
    public void A_pending_trial_can_be_replaced_by_a_newer_install_into_the_same_slot()
    {
        var pending = ContainerTransitions.FinishInstall(ContainerTransitions.BeginInstall(ConfirmedV1), V2, 3);
        var again = ContainerTransitions.BeginInstall(pending);
        Assert.Equal(SlotId.B, again.TrialSlot);
        Assert.False(again.SlotB.Present);
        Assert.Equal(SlotId.A, again.ConfirmedSlot);
    }
}
