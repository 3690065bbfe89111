using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.UpdateMetadata.Verification;

/// <summary>A target found in a delegated role: the entry, and the role that listed it with the keys it was checked under.</summary>
internal sealed record DelegatedTarget(string Path, TargetFile File, DelegatedRole Role, IReadOnlyDictionary<string, TufKey> Keys);

/// <summary>
/// TUF §5.6.7: which delegated role lists a target path. Preorder depth-first from top-level targets: a role's
/// delegations are tried in their order, and only roles whose paths cover the target are visited; a terminating role
/// that covers it ends the search whether or not it lists the target (no backtracking to later siblings). At most
/// <see cref="UpdateMetadataLimits.MaxDelegationsVisited"/> roles are loaded. Top-level targets itself lists nothing
/// we install (docs/trust-model.md §1: delegations only), so its own entries are never a match.
/// </summary>
internal static class DelegationSearch
{
    public static DelegatedTarget? Find(string targetPath, SignedMetadata<TargetsMetadata> topLevel, ImageRepositoryCheck repository, UpdateMetadataLimits limits)
    {
        var pending = new Stack<(DelegatedRole Role, IReadOnlyDictionary<string, TufKey> Keys, int Depth)>();
        PushCovering(pending, topLevel.Signed, targetPath, depth: 1);
        var visited = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0 && visited.Count < limits.MaxDelegationsVisited)
        {
            var (role, keys, depth) = pending.Pop();
            if (!visited.Add(role.Name)) continue;
            var targets = repository.LoadDelegated(role, keys, depth).Signed;
            if (targets.Targets.TryGetValue(targetPath, out var file)) return new DelegatedTarget(targetPath, file, role, keys);
            PushCovering(pending, targets, targetPath, depth + 1);
        }
        return null;
    }

    private static void PushCovering(Stack<(DelegatedRole, IReadOnlyDictionary<string, TufKey>, int)> pending, TargetsMetadata parent, string targetPath, int depth)
    {
        if (parent.Delegations is not { } delegations) return;
        var children = new List<DelegatedRole>();
        foreach (var role in delegations.Roles)
        {
            if (!role.Covers(targetPath)) continue;
            children.Add(role);
            if (role.Terminating)
            {
                // A covering terminating child: later siblings and everything already pending are out of the search.
                pending.Clear();
                break;
            }
        }
        for (var i = children.Count - 1; i >= 0; i--) pending.Push((children[i], delegations.Keys, depth));
    }
}
