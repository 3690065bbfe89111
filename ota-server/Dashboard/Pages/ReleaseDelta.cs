using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>
/// A delta bundle cut so far to a release for one class: from the device's base image (its version when a known release
/// has that image for the class, else null) to the release's image, with the bundle's bytes beside the full image's.
/// </summary>
public sealed record ReleaseDelta(string DeviceClass, string BaseImageDigest, string? BaseVersion, ulong DeltaBytes, ulong? FullImageBytes)
{
    /// <summary>The delta cuts of <paramref name="target"/> in <paramref name="cuts"/>, each base resolved through <paramref name="releases"/>.</summary>
    public static IReadOnlyList<ReleaseDelta> Of(Release target, IEnumerable<RecordedCut> cuts, IReadOnlyList<Release> releases)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(cuts);
        ArgumentNullException.ThrowIfNull(releases);
        return [.. cuts.Where(c => c.Bundle.IsDelta && c.Key is { BaseImageDigest: not null } && c.Key.TargetReleaseId == target.Id)
            .Select(c => new ReleaseDelta(c.Key!.DeviceClass, c.Key.BaseImageDigest!,
                releases.FirstOrDefault(r => r.ImageFor(c.Key.DeviceClass)?.ImageDigest == c.Key.BaseImageDigest)?.Version,
                c.Bundle.Length, target.ImageFor(c.Key.DeviceClass)?.ImageLength))];
    }
}
