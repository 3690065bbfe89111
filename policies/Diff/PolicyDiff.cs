using AtymSecure.Policies.Model;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Diff;

/// <summary>
/// The effective difference between two policy sets, computed on what they mean (keys by their public key,
/// scopes, groups, grants per container and group), never on text: reordering, reformatting, comments and renamed
/// files report nothing. Sorted by area, widening first, so the output is stable.
/// </summary>
public sealed record PolicyDiff(EquatableList<PolicyChange> Changes)
{
    public bool IsEmpty => Changes.Count == 0;

    /// <summary>What <c>atym policy diff</c>'s exit code says: some change widens trust or permissions.</summary>
    public bool TrustOrPermissionsWiden => Changes.Any(c => c.Effect == ChangeEffect.Widens && c.Area is PolicyArea.Trust or PolicyArea.Permission);

    public static PolicyDiff Compare(PolicySet before, PolicySet after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changes = new List<PolicyChange>();
        changes.AddRange(TrustDiff.Compare(before, after));
        changes.AddRange(DeploymentDiff.Compare(before, after));
        changes.AddRange(PermissionDiff.Compare(before, after));
        changes.AddRange(DeviceDiff.Compare(before, after));
        return new PolicyDiff([.. changes.Distinct().OrderBy(c => c.Area).ThenBy(c => c.Effect).ThenBy(c => c.Text, StringComparer.Ordinal)]);
    }
}
