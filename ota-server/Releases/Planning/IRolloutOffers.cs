namespace AtymSecure.OtaReleases.Planning;

/// <summary>A release a rollout offers a device for one container, the deployment that offers it, and the install window
/// the director signs into the target (null: install at once).</summary>
public sealed record RolloutOffer(string Container, string ReleaseId, string DeploymentId, AtymSecure.Formats.UpdateMetadata.Model.InstallWindow? Window = null);

/// <summary>
/// What the rollouts (ota-server/Rollouts) offer a device now: at most one release per container, from the newest
/// deployment that admitted the device. <see cref="DesiredStateResolver"/> puts these before the device's direct
/// assignments, so a device gets a deployment's release only once its wave reached it. Called on every poll: answers
/// from memory.
/// </summary>
public interface IRolloutOffers
{
    IReadOnlyList<RolloutOffer> OffersFor(string deviceId);
}
