using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// The DDI action life of each target, derived from what the rollouts offer it. A poll makes the action for an offer
/// the device is to install (offered or waiting for its window, one action per offer and attempt: a retry after a
/// failure is a new action), and turns an open action whose offer went away (deployment cancelled, halted,
/// superseded, timed out) into a cancellation (<see cref="DdiActionState.Canceling"/>). Feedback moves the action
/// (docs/ddi.md, "State mapping"): <c>closed</c>+<c>success</c> closes it as installed, <c>closed</c>+<c>failure</c> and a
/// device's own <c>canceled</c> close it as failed; <c>downloaded</c> marks it downloaded; the rest only add to its
/// history. Each stored feedback bumps the target's feedback sequence, and the rollout engine then observes the device
/// (<see cref="DdiObservations"/>), so DDI devices count in the same deployments as atym agents. A controller reaches
/// only its own actions: any other id is 404, whoever owns it. One gate serialises the changes of all targets.
/// </summary>
public sealed class DdiActions(IDdiStore store, DdiTargetRegistry targets, IServiceProvider services, TimeProvider clock)
{
    private const int Recent = 50;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private RolloutService? Rollouts => services.GetService<RolloutService>();

    /// <summary>The target's live action (open or being cancelled), after bringing it in line with the rollouts; null: none.</summary>
    public async Task<DdiAction?> CurrentAsync(string controllerId, CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var actions = store.ActionsFor(controllerId, Recent);
            var live = actions.FirstOrDefault(a => a.State != DdiActionState.Closed);
            var rollouts = Rollouts;
            if (live is { State: DdiActionState.Open } && !StillOffered(rollouts, live))
            {
                var reason = rollouts?.Find(live.DeploymentId)?.Device(controllerId)?.Reason ?? "no longer offered";
                live = live.WithMessage($"canceled by the server: {reason}") with { State = DdiActionState.Canceling, UpdatedAt = clock.GetUtcNow() };
                store.UpdateAction(live);
            }
            if (live is not null || rollouts is null) return live;
            var releases = services.GetRequiredService<IReleaseStore>();
            foreach (var offer in rollouts.OffersFor(controllerId).OrderBy(o => o.Container, StringComparer.Ordinal))
            {
                var device = rollouts.Find(offer.DeploymentId)?.Device(controllerId);
                if (device?.State is not (DeviceRolloutState.Offered or DeviceRolloutState.Waiting)) continue;
                if (actions.Any(a => a.DeploymentId == offer.DeploymentId && a.ReleaseId == offer.ReleaseId && a.Attempt == device.Attempts)) continue;
                if (await releases.GetAsync(offer.ReleaseId, ct).ConfigureAwait(false) is not { } release) continue;
                var now = clock.GetUtcNow();
                return store.AddAction(new DdiAction(0, controllerId, offer.DeploymentId, offer.ReleaseId, offer.Container, release.Version, device.Attempts,
                    DdiActionState.Open, null, null, false, [$"offered {offer.Container} {release.Version} by deployment {offer.DeploymentId} (attempt {device.Attempts})"],
                    0, now, now));
            }
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The last action the target installed, or null.</summary>
    public DdiAction? Installed(string controllerId) => store.ActionsFor(controllerId, Recent).FirstOrDefault(a => a.Outcome == DdiActionOutcome.Success);

    /// <summary>Action <paramref name="actionId"/> of this controller, or 404 (also when it is another controller's).</summary>
    public DdiAction Owned(string controllerId, string actionId)
    {
        if (!long.TryParse(actionId, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            || store.FindAction(id) is not { } action || action.ControllerId != controllerId)
            throw new OtaProblemException(404, DdiServerProblemCodes.NotFound, "actionId", "no such action for this controller");
        return action;
    }

    /// <summary>What the deployment says about handling: forced or not, the install window (null: none) and whether it is open now.</summary>
    public (bool Forced, InstallWindow? Window, bool Open) HandlingOf(DdiAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var rollouts = Rollouts;
        var forced = rollouts?.Find(action.DeploymentId)?.Spec.Forced ?? false;
        var window = rollouts?.OffersFor(action.ControllerId).FirstOrDefault(o => o.DeploymentId == action.DeploymentId)?.Window;
        return (forced, window, window?.IsOpen(clock.GetUtcNow()) ?? true);
    }

    /// <summary>Feedback on <c>deploymentBase/{actionId}</c>. 404: not this controller's; 410: closed.</summary>
    public async Task DeploymentFeedbackAsync(string controllerId, string actionId, DdiActionFeedback feedback, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        await ChangeAsync(controllerId, actionId, action =>
        {
            var status = feedback.Status;
            var closing = status.Execution switch
            {
                DdiExecution.Closed => status.Result.Finished == DdiFinished.Success ? DdiActionOutcome.Success : DdiActionOutcome.Failure,
                DdiExecution.Canceled => DdiActionOutcome.Canceled,
                _ => (DdiActionOutcome?)null,
            };
            var changed = action with
            {
                LastExecution = DdiEnumJsonConverter<DdiExecution>.NameOf(status.Execution),
                Downloaded = action.Downloaded || status.Execution == DdiExecution.Downloaded,
                State = closing is null ? action.State : DdiActionState.Closed,
                Outcome = closing ?? action.Outcome,
            };
            return (changed.WithMessage(Message(feedback)), closing == DdiActionOutcome.Success);
        }, ct).ConfigureAwait(false);
    }

    /// <summary>The cancellation of a live action, or 404 (not cancelled) / 410 (closed).</summary>
    public DdiAction Cancellation(string controllerId, string actionId)
    {
        var action = Owned(controllerId, actionId);
        if (action.State == DdiActionState.Closed) throw Gone();
        if (action.State != DdiActionState.Canceling) throw new OtaProblemException(404, DdiServerProblemCodes.NotFound, "actionId", "this action is not being canceled");
        return action;
    }

    /// <summary>Feedback on <c>cancelAction/{actionId}</c>: <c>canceled</c> or <c>closed</c> ends the action as canceled;
    /// <c>rejected</c> (the device cannot stop now) and the rest are recorded and the cancellation stays.</summary>
    public async Task CancelFeedbackAsync(string controllerId, string actionId, DdiActionFeedback feedback, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(feedback);
        _ = Cancellation(controllerId, actionId);
        await ChangeAsync(controllerId, actionId, action =>
        {
            var done = feedback.Status.Execution is DdiExecution.Canceled or DdiExecution.Closed;
            var changed = action with
            {
                LastExecution = DdiEnumJsonConverter<DdiExecution>.NameOf(feedback.Status.Execution),
                State = done ? DdiActionState.Closed : action.State,
                Outcome = done ? DdiActionOutcome.Canceled : action.Outcome,
            };
            return (changed.WithMessage("cancel " + Message(feedback)), false);
        }, ct).ConfigureAwait(false);
    }

    private async Task ChangeAsync(string controllerId, string actionId, Func<DdiAction, (DdiAction Changed, bool RequestAttributes)> change, CancellationToken ct)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var action = Owned(controllerId, actionId);
            if (action.State == DdiActionState.Closed) throw Gone();
            var (changed, requestAttributes) = change(action);
            var sequence = targets.NextSequence(controllerId, requestAttributes);
            store.UpdateAction(changed with { Sequence = sequence, UpdatedAt = clock.GetUtcNow() });
        }
        finally
        {
            _gate.Release();
        }
        if (Rollouts is { } rollouts) await rollouts.OnExternalReportAsync(controllerId, ct).ConfigureAwait(false);
    }

    private static bool StillOffered(RolloutService? rollouts, DdiAction action) =>
        rollouts?.Find(action.DeploymentId)?.Device(action.ControllerId) is { } d
        && d.State is DeviceRolloutState.Offered or DeviceRolloutState.Waiting or DeviceRolloutState.Trial
        && d.OfferedReleaseId == action.ReleaseId;

    /// <summary>One history line: <c>execution/finished (code): details</c>, at most <see cref="DdiDeploymentBase.MaxMessageLength"/> characters.</summary>
    private static string Message(DdiActionFeedback feedback)
    {
        var s = feedback.Status;
        var text = $"{DdiEnumJsonConverter<DdiExecution>.NameOf(s.Execution)}/{DdiEnumJsonConverter<DdiFinished>.NameOf(s.Result.Finished)}"
            + (s.Code is { } code ? $" ({code})" : "")
            + (s.Details is { Count: > 0 } details ? ": " + string.Join("; ", details) : "");
        text = new string([.. text.Select(c => char.IsControl(c) ? ' ' : c)]);
        return text.Length <= DdiDeploymentBase.MaxMessageLength ? text : text[..(DdiDeploymentBase.MaxMessageLength - 1)] + "…";
    }

    private static OtaProblemException Gone() => new(410, DdiServerProblemCodes.ActionClosed, "actionId", "the action is closed");
}
