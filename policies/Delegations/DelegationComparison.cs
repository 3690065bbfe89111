using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Policies.Delegations;

/// <summary>
/// Where the vendor delegations of signed top-level targets disagree with the ones the trust policy implies
/// (<c>atym tuf delegations --check</c>, for CI): a role missing or not implied, other keys, threshold, paths or
/// terminating flag, or another order (the device takes the first match). Compiler delegations are not the policy's
/// and are not compared. Empty when they agree.
/// </summary>
public static class DelegationComparison
{
    public static IReadOnlyList<string> Differences(DerivedDelegations derived, Formats.UpdateMetadata.Model.Delegations? signed)
    {
        ArgumentNullException.ThrowIfNull(derived);
        var actual = (signed?.Roles ?? []).Where(r => r.Name.StartsWith("vendor-", StringComparison.Ordinal)).ToList();
        var differences = new List<string>();
        foreach (var wanted in derived.Delegations)
        {
            var role = actual.FirstOrDefault(r => r.Name == wanted.Role);
            if (role is null)
            {
                differences.Add($"{wanted.Role} is missing from the signed targets; the policy implies {wanted}");
                continue;
            }
            var keyIds = role.Keys.KeyIds.Order(StringComparer.Ordinal).ToList();
            if (!keyIds.SequenceEqual(wanted.KeyIds))
                differences.Add($"{wanted.Role} trusts keys {Ids(keyIds)}; {wanted.Rule} ({wanted.At}) trusts {Ids(wanted.KeyIds)}");
            if (role.Keys.Threshold != wanted.Threshold)
                differences.Add($"{wanted.Role} needs {role.Keys.Threshold} signature(s); {wanted.Rule} ({wanted.At}) needs {wanted.Threshold}");
            if (!(role.Paths ?? []).SequenceEqual(wanted.Paths))
                differences.Add($"{wanted.Role} lists paths {string.Join(", ", role.Paths ?? [])}; the policy implies {string.Join(", ", wanted.Paths)}");
            if (!role.Terminating) differences.Add($"{wanted.Role} is not terminating; every vendor delegation must be");
        }
        foreach (var extra in actual.Where(r => derived.Delegations.All(d => d.Role != r.Name)))
            differences.Add($"{extra.Name} is in the signed targets but no trust rule implies it (keys {Ids(extra.Keys.KeyIds)}, paths {string.Join(", ", extra.Paths ?? [])})");
        var order = actual.Select(r => r.Name).Where(n => derived.Delegations.Any(d => d.Role == n)).ToList();
        var wantedOrder = derived.Delegations.Select(d => d.Role).Where(order.Contains).ToList();
        if (!order.SequenceEqual(wantedOrder))
            differences.Add($"vendor delegations are ordered {string.Join(", ", order)}; the policy needs {string.Join(", ", wantedOrder)} (a device uses the first match)");
        return differences;
    }

    private static string Ids(IEnumerable<string> keyIds) => string.Join(", ", keyIds.Select(id => id[..Math.Min(12, id.Length)]));
}
