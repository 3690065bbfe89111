using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;

namespace AtymSecure.Bootloader.Tests.State;

public sealed class ContainerRecordTests
{
    // Found by StateRecordCodecTests' MACed-record fuzz (CsCheck seed 0VwdDsuVpdo1): a trial state without a trial
    // slot made Validate throw ArgumentOutOfRangeException out of TryDecode instead of reporting the problem.
    [Theory]
    [InlineData(ContainerState.Installing)]
    [InlineData(ContainerState.Pending)]
    [InlineData(ContainerState.TrialBooted)]
    public void A_trial_state_without_a_trial_slot_is_a_reported_problem_not_an_exception(ContainerState state)
    {
        var record = ContainerRecord.Empty(0) with { State = state, AttemptsLeft = 1 };
        var problem = Assert.Single(record.Validate());
        Assert.Equal((ContainerRecordProblemCodes.TrialSlotExpected, "trialSlot"), (problem.Code, problem.Path));
        Assert.Equal($"state {state} needs a trial slot", problem.Message);
    }
}
