using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>
/// What the rollout engine reads of a DDI device (<see cref="IExternalDeviceReports"/>), from its actions of the
/// container, as it reads an atym device's signed report: the version of its last action closed with success is
/// confirmed (the engine counts the device succeeded); an action closed with failure, or canceled by the device, is a
/// failed install (retried as the deployment's retry policy says, then failed — and counted by the halt rule); an open
/// action the device downloaded while its maintenance window is closed is waiting for the window. The sequence is the
/// target's feedback count, so each feedback is used once.
/// </summary>
public sealed class DdiObservations(IDdiStore store, IServiceProvider services, TimeProvider clock) : IExternalDeviceReports
{
    public bool Owns(DeviceRecord device) => DdiTargetRegistry.IsDdiDevice(device);

    public DeviceObservation? Latest(string deviceId, string container)
    {
        if (store.FindTarget(deviceId) is not { } target) return null;
        var actions = store.ActionsFor(deviceId, 50).Where(a => a.Container == container).ToList();
        if (actions.Count == 0) return null;
        var latest = actions[0];
        var confirmed = actions.FirstOrDefault(a => a.Outcome == DdiActionOutcome.Success)?.Version;
        var failed = latest.Outcome is DdiActionOutcome.Failure or DdiActionOutcome.Canceled;
        string? awaiting = null;
        DateTimeOffset? opens = null;
        if (latest is { State: DdiActionState.Open, Downloaded: true }
            && services.GetService<IRolloutOffers>()?.OffersFor(deviceId).FirstOrDefault(o => o.DeploymentId == latest.DeploymentId)?.Window is { } window
            && !window.IsOpen(clock.GetUtcNow()))
        {
            awaiting = latest.Version;
            opens = window.NextOpening(clock.GetUtcNow());
        }
        return new DeviceObservation(deviceId, target.FeedbackSequence, confirmed, null,
            failed ? "failed" : null,
            failed ? (latest.Outcome == DdiActionOutcome.Canceled ? "ddi-canceled" : "ddi-failure") : null,
            failed ? $"action {latest.Id}: {latest.Messages.FirstOrDefault()}" : null,
            null, null, null, null, null, awaiting, opens);
    }
}
