using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// A cancellation (<c>GET …/cancelAction/{actionId}</c>, hawkBit's DdiCancel): the server withdrew the action
/// <see cref="DdiCancelActionToStop.StopId"/>. The device stops it if it can and answers on the cancel action's
/// feedback with <c>canceled</c> (done), <c>rejected</c> (cannot now) or <c>closed</c>.
/// </summary>
public sealed record DdiCancel(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("cancelAction")] DdiCancelActionToStop CancelAction) : IDdiMessage
{
    public const int MaxBytes = 4 * 1024;

    public IReadOnlyList<Problem> Validate()
    {
        var check = new DdiCheck();
        check.Text(Id, "$.id", 19, DdiCheck.ActionIdGrammar(), "an action id (decimal digits)");
        if (check.Present(CancelAction, "$.cancelAction"))
            check.Text(CancelAction.StopId, "$.cancelAction.stopId", 19, DdiCheck.ActionIdGrammar(), "an action id (decimal digits)");
        return check.Problems;
    }
}

/// <summary><c>cancelAction</c>: the id of the action to stop.</summary>
public sealed record DdiCancelActionToStop([property: JsonPropertyName("stopId")] string StopId);
