using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// An action to install (<c>GET …/deploymentBase/{actionId}</c>, hawkBit's DdiDeploymentBase; <c>installedBase</c>
/// answers the same shape for the last finished one): its <see cref="Id"/>, what to download and install
/// (<see cref="Deployment"/>) and, optionally, what the server recorded of it so far (<see cref="ActionHistory"/>).
/// </summary>
public sealed record DdiDeploymentBase(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("deployment")] DdiDeployment Deployment,
    [property: JsonPropertyName("actionHistory")] DdiActionHistory? ActionHistory = null) : IDdiMessage
{
    public const int MaxBytes = 1024 * 1024;
    public const int MaxChunks = 64;
    public const int MaxHistoryMessages = 100;
    public const int MaxMessageLength = 512;

    public IReadOnlyList<Problem> Validate()
    {
        var check = new DdiCheck();
        check.Text(Id, "$.id", 19, DdiCheck.ActionIdGrammar(), "an action id (decimal digits)");
        if (check.Present(Deployment, "$.deployment"))
            check.List(Deployment.Chunks, "$.deployment.chunks", MaxChunks, (c, p) => c.Check(check, p));
        if (ActionHistory is not null)
        {
            check.Text(ActionHistory.Status, "$.actionHistory.status", 64);
            check.List(ActionHistory.Messages, "$.actionHistory.messages", MaxHistoryMessages,
                (m, p) => check.Text(m, p, MaxMessageLength), required: false);
        }
        return check.Problems;
    }
}

/// <summary>
/// <c>deployment</c>: whether to download and to install now (<see cref="Download"/>, <see cref="Update"/>), the
/// software (<see cref="Chunks"/>), and, only when the deployment has a maintenance window, whether it is open now.
/// </summary>
public sealed record DdiDeployment(
    [property: JsonPropertyName("download")] DdiHandlingType Download,
    [property: JsonPropertyName("update")] DdiHandlingType Update,
    [property: JsonPropertyName("chunks")] EquatableList<DdiChunk> Chunks,
    [property: JsonPropertyName("maintenanceWindow")] DdiMaintenanceWindow? MaintenanceWindow = null);

/// <summary><c>actionHistory</c>: the server's status of the action (hawkBit: RUNNING, FINISHED, …) and the feedback
/// messages it recorded, newest first.</summary>
public sealed record DdiActionHistory(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("messages")] EquatableList<string>? Messages = null);
