using AtymSecure.Formats.Container;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Engine;

/// <summary>
/// Required intermediate releases: a device below a required release's version is offered that release first, then
/// the next, then the target. A device without a version (nothing installed) or at or above every required version
/// goes straight to the target.
/// </summary>
internal static class Stages
{
    public static IntermediateRelease First(DeploymentSpec spec, string? fromVersion) => Next(spec, fromVersion) ?? Target(spec);

    /// <summary>The first required release above <paramref name="version"/>, else the target; null when <paramref name="version"/> is the target's.</summary>
    public static IntermediateRelease? Next(DeploymentSpec spec, string? version)
    {
        if (version == spec.Version) return null;
        if (version is null || !SemanticVersion.TryParse(version, out var current)) return Target(spec);
        foreach (var via in spec.Via)
            if (SemanticVersion.TryParse(via.Version, out var v) && v > current) return via;
        return Target(spec);
    }

    private static IntermediateRelease Target(DeploymentSpec spec) => new(spec.ReleaseId, spec.Version);
}
