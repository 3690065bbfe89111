using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// A device's report on an action (<c>POST …/deploymentBase/{actionId}/feedback</c> and
/// <c>POST …/cancelAction/{actionId}/feedback</c>, hawkBit's DdiActionFeedback): where it is
/// (<see cref="DdiStatus.Execution"/>) and, once closed, how it ended (<see cref="DdiResult.Finished"/>). <see cref="Time"/>
/// is the device's own clock as text, kept for the log only (hawkBit's older clients send <c>20140511T121314</c>,
/// newer ones ISO 8601; neither is trusted). Members hawkBit does not define are ignored, as hawkBit ignores them
/// (SWUpdate sends an <c>id</c>).
/// </summary>
public sealed record DdiActionFeedback(
    [property: JsonPropertyName("status")] DdiStatus Status,
    [property: JsonPropertyName("time")] string? Time = null) : IDdiMessage
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxDetails = 64;
    public const int MaxDetailLength = 1024;

    public IReadOnlyList<Problem> Validate()
    {
        var check = new DdiCheck();
        check.OptionalText(Time, "$.time", 64);
        if (!check.Present(Status, "$.status")) return check.Problems;
        if (!Enum.IsDefined(Status.Execution)) check.Add(DdiProblemCodes.Invalid, "$.status.execution", "not an execution status");
        if (check.Present(Status.Result, "$.status.result"))
        {
            if (!Enum.IsDefined(Status.Result.Finished)) check.Add(DdiProblemCodes.Invalid, "$.status.result.finished", "not a final result");
            if (Status.Result.Progress is { } progress)
            {
                if (progress.Cnt is < 0) check.Add(DdiProblemCodes.Invalid, "$.status.result.progress.cnt", "negative");
                if (progress.Of is < 0) check.Add(DdiProblemCodes.Invalid, "$.status.result.progress.of", "negative");
                // No cnt <= of check: hawkBit's DdiProgress only requires cnt, and SWUpdate's suricatta sends {"cnt":1,"of":0}
                // mid-install (of 0 = step count unknown). Progress is shown, never acted on, so a cnt above of is harmless.
            }
        }
        // A closed action has a final result; hawkBit reads closed+none as success, which hides a broken client.
        if (Status.Execution == DdiExecution.Closed && Status.Result?.Finished == DdiFinished.None)
            check.Add(DdiProblemCodes.Invalid, "$.status.result.finished", "a closed action needs success or failure, not none");
        check.List(Status.Details, "$.status.details", MaxDetails, (d, p) =>
        {
            if (d.Length > MaxDetailLength) check.Add(DdiProblemCodes.TooMany, p, $"{d.Length} characters, at most {MaxDetailLength}");
        }, required: false);
        return check.Problems;
    }
}

/// <summary><c>status</c> of a feedback: execution state, result, an optional device-specific <see cref="Code"/> and
/// free-text <see cref="Details"/>.</summary>
public sealed record DdiStatus(
    [property: JsonPropertyName("execution")] DdiExecution Execution,
    [property: JsonPropertyName("result")] DdiResult Result,
    [property: JsonPropertyName("code")] int? Code = null,
    [property: JsonPropertyName("details")] EquatableList<string>? Details = null);

/// <summary><c>status.result</c>: the final result (<c>none</c> while running) and optional progress.</summary>
public sealed record DdiResult(
    [property: JsonPropertyName("finished")] DdiFinished Finished,
    [property: JsonPropertyName("progress")] DdiProgress? Progress = null);

/// <summary><c>status.result.progress</c>: <see cref="Cnt"/> of <see cref="Of"/> steps done. As in hawkBit, <see cref="Of"/>
/// is optional and not a bound on <see cref="Cnt"/> (SWUpdate sends <c>{"cnt":1,"of":0}</c>); both must be non-negative
/// (our limit: hawkBit takes any integer), and the whole feedback is capped at <see cref="DdiActionFeedback.MaxBytes"/>.</summary>
public sealed record DdiProgress(
    [property: JsonPropertyName("cnt")] int Cnt,
    [property: JsonPropertyName("of")] int? Of = null);
