using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Planning;

/// <summary>
/// Pure logic from (device, its assigned releases, the releases the server knows) to the device's desired state: per
/// assigned container the image target for the device's class, and which bundle delivers it — a delta from the image
/// the device reports confirmed when the server can rebuild that image (it belongs to a known release of the same
/// container and class), else a full bundle. Whether the delta is actually smaller is decided by the cutter, which
/// proves each candidate and falls back to full (<see cref="Delivery.Bundles.BundlePayload.Choose"/>). A release whose
/// version the device reports it rejected (a failed trial it reverted) is a gap, not a target. No I/O, no clock:
/// the same inputs give the same plan on every replica.
/// </summary>
public static class DesiredStatePlanner
{
    /// <param name="device">Id, class, confirmed images.</param>
    /// <param name="assigned">The releases assigned to the device (at most one per container; a later duplicate is ignored).</param>
    /// <param name="known">Releases whose images can serve as delta bases (typically every release of the assigned containers).</param>
    public static DesiredStatePlan Plan(DeviceView device, IReadOnlyList<Release> assigned, IReadOnlyList<Release> known)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(assigned);
        ArgumentNullException.ThrowIfNull(known);
        var containers = new List<PlannedContainer>();
        var gaps = new List<PlanGap>();
        foreach (var release in assigned.DistinctBy(r => r.Container).OrderBy(r => r.Container, StringComparer.Ordinal))
        {
            if (release.ImageFor(device.DeviceClass) is not { } image)
            {
                var failure = release.Failures.FirstOrDefault(f => f.DeviceClass == device.DeviceClass);
                gaps.Add(new PlanGap(release.Container, release.Id, ReleaseProblemCodes.ClassNotInRelease, failure is null
                    ? $"{release.Container} {release.Version} was not compiled for {device.DeviceClass}"
                    : $"{release.Container} {release.Version} failed to compile for {device.DeviceClass}: {failure.Message}"));
                continue;
            }
            if (device.RejectedVersions.TryGetValue(release.Container, out var rejected) && rejected == release.Version)
            {
                // The device tried this version and reverted: offering it again would loop install → trial → revert.
                gaps.Add(new PlanGap(release.Container, release.Id, ReleaseProblemCodes.RejectedByDevice,
                    $"the device's trial of {release.Container} {release.Version} failed and it reverted; assign another release"));
                continue;
            }
            var confirmed = device.ConfirmedImages.TryGetValue(release.Container, out var digest) ? digest : null;
            var upToDate = confirmed == image.ImageDigest;
            var baseRelease = upToDate || confirmed is null ? null : FindBase(known, release.Container, device.DeviceClass, confirmed);
            var key = new BundleCutKey(baseRelease is null ? null : confirmed, release.Id, image.ImageDigest, device.DeviceClass, image.Grants);
            containers.Add(new PlannedContainer(release.Container, ImageTarget.Of(release, image), new BundleCutRequest(key, release, baseRelease), upToDate));
        }
        return new DesiredStatePlan(device.DeviceId, device.DeviceClass, containers, gaps);
    }

    /// <summary>The oldest known release of the container whose image for the class is <paramref name="imageDigest"/>.</summary>
    private static Release? FindBase(IReadOnlyList<Release> known, string container, string deviceClass, string imageDigest) =>
        known.Where(r => r.Container == container).OrderBy(r => r.ImportedAt).ThenBy(r => r.Id, StringComparer.Ordinal)
            .FirstOrDefault(r => r.ImageFor(deviceClass)?.ImageDigest == imageDigest);
}
