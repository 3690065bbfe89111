using AtymSecure.Primitives;

namespace AtymSecure.OtaStore;

/// <summary>
/// What the server keeps for a hawkBit DDI target beside its <see cref="DeviceRecord"/> (same id: a DDI target is a
/// device of the fleet): its TargetToken (id and SHA-256 of the secret, null when it polls with the gateway token
/// only), the attributes it sent with <c>configData</c>, whether the server asks for them
/// (<see cref="AttributesRequested"/>: until the first <c>configData</c> and again after each successful action, as
/// hawkBit does), and <see cref="FeedbackSequence"/>, counting every feedback stored (the rollout engine's report
/// sequence for this device). <see cref="Revision"/> for optimistic updates.
/// </summary>
public sealed record DdiTarget(
    string ControllerId,
    string? TokenId,
    string? TokenSha256,
    EquatableMap<string> Attributes,
    bool AttributesRequested,
    long FeedbackSequence,
    DateTimeOffset CreatedAt,
    string CreatedBy,
    long Revision = 0);

/// <summary>The tenant's GatewayToken (id and SHA-256 of the secret): one per tenant; a new one replaces the old.</summary>
public sealed record DdiGatewayToken(string Tenant, string TokenId, string TokenSha256, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>Where a DDI action is.</summary>
public enum DdiActionState
{
    /// <summary>Served as <c>deploymentBase</c>; the device has not closed it.</summary>
    Open,

    /// <summary>Withdrawn by us (deployment cancelled, halted, superseded): served as <c>cancelAction</c> until the device answers.</summary>
    Canceling,

    /// <summary>Finished: feedback on it is answered 410 Gone.</summary>
    Closed,
}

/// <summary>How a closed action ended.</summary>
public enum DdiActionOutcome
{
    Success,
    Failure,

    /// <summary>The device confirmed our cancellation, or canceled the action itself.</summary>
    Canceled,
}

/// <summary>
/// One DDI action: one offer of one release of a deployment to one device (a retry after a failure is a new action
/// with the next <see cref="Attempt"/>, as the old one is closed). <see cref="Id"/> is hawkBit's numeric action id.
/// <see cref="Messages"/> holds the feedback details, newest first (at most <see cref="MaxMessages"/>);
/// <see cref="Sequence"/> is the target's <see cref="DdiTarget.FeedbackSequence"/> at the last change.
/// <see cref="Downloaded"/> says the device reported <c>downloaded</c> (it waits for its maintenance window).
/// </summary>
public sealed record DdiAction(
    long Id,
    string ControllerId,
    string DeploymentId,
    string ReleaseId,
    string Container,
    string Version,
    int Attempt,
    DdiActionState State,
    DdiActionOutcome? Outcome,
    string? LastExecution,
    bool Downloaded,
    EquatableList<string> Messages,
    long Sequence,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public const int MaxMessages = 50;

    /// <summary>This action with <paramref name="message"/> recorded first (the oldest dropped past <see cref="MaxMessages"/>).</summary>
    public DdiAction WithMessage(string message) => this with { Messages = new EquatableList<string>([message, .. Messages.Take(MaxMessages - 1)]) };
}
