using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Planning;

/// <summary>
/// The desired state of one device, with its bundles cut: reads the device's assignments and the releases, plans
/// (<see cref="DesiredStatePlanner"/>), and asks the <see cref="BundleCutCache"/> for each bundle. What the poll
/// endpoint and the director signer consume. A rollout's offer for a container (<see cref="IRolloutOffers"/>) comes
/// before the device's direct assignment of that container, and brings its install window. With policies
/// (<see cref="Policy.PolicyGrantedImages"/>), each release's image is the one carrying the grants the serving policy set
/// derives for the device's groups, so the plan, the cut key and the director's image target follow the policy.
/// </summary>
public sealed class DesiredStateResolver(IAssignmentStore assignments, IReleaseStore releases, BundleCutCache cuts, IRolloutOffers? rollouts = null,
    Policy.PolicyGrantedImages? grants = null)
{
    public async Task<DesiredState> ResolveAsync(DeviceView device, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        var assigned = new List<Release>();
        var gaps = new List<PlanGap>();
        var offered = rollouts?.OffersFor(device.DeviceId) ?? [];
        var wanted = offered.Select(o => new Assignment(device.DeviceId, o.Container, o.ReleaseId, default, o.DeploymentId)).ToList();
        wanted.AddRange((await assignments.ListForDeviceAsync(device.DeviceId, ct).ConfigureAwait(false))
            .Where(a => !offered.Any(o => o.Container == a.Container)));
        foreach (var assignment in wanted)
        {
            if (await releases.GetAsync(assignment.ReleaseId, ct).ConfigureAwait(false) is { } release)
            {
                var granted = grants is null ? new Policy.GrantedRelease(release, null) : await grants.ForDeviceAsync(release, device, ct).ConfigureAwait(false);
                if (granted.Gap is { } gap) gaps.Add(gap);
                else assigned.Add(granted.Release!);
            }
            else gaps.Add(new PlanGap(assignment.Container, assignment.ReleaseId, Import.ReleaseProblemCodes.ReleaseNotFound, $"release {assignment.ReleaseId} is not recorded"));
        }
        var known = new List<Release>();
        foreach (var container in assigned.Select(r => r.Container).Distinct(StringComparer.Ordinal))
            known.AddRange(await releases.ListAsync(container, ct).ConfigureAwait(false));
        var plan = DesiredStatePlanner.Plan(device, assigned, known);
        var containers = new List<DesiredContainer>();
        foreach (var planned in plan.Containers)
        {
            var bundle = await cuts.GetOrCutAsync(planned.Cut, ct).ConfigureAwait(false);
            containers.Add(new DesiredContainer(planned.Container, planned.Image, bundle, planned.UpToDate,
                offered.FirstOrDefault(o => o.Container == planned.Container)?.Window));
        }
        return new DesiredState(device.DeviceId, device.DeviceClass, containers, new EquatableList<PlanGap>([.. gaps, .. plan.Gaps]));
    }
}
