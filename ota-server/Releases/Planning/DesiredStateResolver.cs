using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Planning;

/// <summary>
/// The desired state of one device, with its bundles cut: reads the device's assignments and the releases, plans
/// (<see cref="DesiredStatePlanner"/>), and asks the <see cref="BundleCutCache"/> for each bundle. What the poll
/// endpoint and the director signer consume.
/// </summary>
public sealed class DesiredStateResolver(IAssignmentStore assignments, IReleaseStore releases, BundleCutCache cuts)
{
    public async Task<DesiredState> ResolveAsync(DeviceView device, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        var assigned = new List<Release>();
        var gaps = new List<PlanGap>();
        foreach (var assignment in await assignments.ListForDeviceAsync(device.DeviceId, ct).ConfigureAwait(false))
        {
            if (await releases.GetAsync(assignment.ReleaseId, ct).ConfigureAwait(false) is { } release) assigned.Add(release);
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
            containers.Add(new DesiredContainer(planned.Container, planned.Image, bundle, planned.UpToDate));
        }
        return new DesiredState(device.DeviceId, device.DeviceClass, containers, new EquatableList<PlanGap>([.. gaps, .. plan.Gaps]));
    }
}
