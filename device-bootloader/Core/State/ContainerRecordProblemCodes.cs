namespace AtymSecure.Bootloader.State;

/// <summary>
/// The <see cref="AtymSecure.Primitives.Problem.Code"/>s of <see cref="ContainerRecord.Validate"/>: each names the
/// state-machine invariant a record breaks; the path is the record field at fault (<c>trialSlot</c>, <c>slotA</c>).
/// </summary>
public static class ContainerRecordProblemCodes
{
    public const string OutOfRange = "out-of-range";
    public const string UnknownValue = "unknown-value";
    public const string TrialIsConfirmed = "trial-is-confirmed";
    public const string ConfirmedSlotEmpty = "confirmed-slot-empty";
    public const string BelowFloor = "below-floor";
    public const string AbsentSlotWithDetails = "absent-slot-with-details";
    public const string PresentSlotWithoutVersion = "present-slot-without-version";
    public const string TrialSlotExpected = "trial-slot-expected";
    public const string TrialSlotUnexpected = "trial-slot-unexpected";
    public const string AttemptsUnexpected = "attempts-unexpected";
    public const string StateMismatch = "state-mismatch";
}
