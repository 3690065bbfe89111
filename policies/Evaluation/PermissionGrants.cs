using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.Container;
using AtymSecure.Policies.Model;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Evaluation;

/// <summary>A permission the container asks for that the policy set does not grant on a device, and the rules that were asked.</summary>
/// <param name="Rules">The permission rules covering the container in the group that refused it (empty: no rule covers it, default deny).</param>
public sealed record WithheldPermission(Capability Permission, string Group, EquatableList<string> Rules, SourcePosition? At);

/// <summary>
/// What a device is granted for one container, derived from the policy set (issue 15 §3 "Device"): the container's
/// requested permissions that every group of the device allows, in the container's order, and those withheld with the
/// rule that withheld them. <see cref="PolicySet"/> is the set that derived them, recorded with the cut and in the audit
/// log; <see cref="Digest"/> identifies the grant set itself.
/// </summary>
public sealed record DerivedGrants(EquatableList<Capability> Granted, EquatableList<WithheldPermission> Withheld, Digest PolicySet)
{
    /// <summary>The grants as the container image writes them (<c>log</c>, <c>sensor:temp0</c>…).</summary>
    public EquatableList<string> GrantTexts => [.. Granted.Select(g => g.ToString())];

    /// <summary><c>sha256:</c> over the grants, each length-prefixed (no separator a capability could contain).</summary>
    public Digest Digest => DigestOf(GrantTexts);

    /// <summary>Whether every requested permission is granted.</summary>
    public bool IsComplete => Withheld.Count == 0;

    /// <summary>
    /// The one digest of a grant list: SHA-256 over <c>atym-grants-v1</c> and each grant as its UTF-8 byte count
    /// (decimal), a colon and its bytes, so no two lists share an encoding.
    /// </summary>
    public static Digest DigestOf(IEnumerable<string> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        var text = new StringBuilder("atym-grants-v1\n");
        foreach (var grant in grants) text.Append(Encoding.UTF8.GetByteCount(grant)).Append(':').Append(grant);
        return Digest.Compute(Encoding.UTF8.GetBytes(text.ToString()));
    }
}

/// <summary>
/// Derives a device's grants from the permission policy: grants = requested ∩ allowed, where a permission is allowed
/// when, in every group the device is in, some permission rule covering the container there grants it (a device in no
/// group is judged as group <c>""</c>, which only rules for <c>*</c> cover). A device in two groups gets what both allow,
/// never the union: adding a device to a group can only narrow it. Anything no rule covers is withheld (default deny),
/// as the evaluator refuses it (<see cref="PolicyEvaluator"/>'s permission step, whose verdict this agrees with: a release
/// the evaluator allows in a group is granted everything it asks for there). Memory and CPU are not narrowed here: the
/// evaluator refuses a release whose limits exceed the policy, and an image cannot run with less memory than it declares.
/// Pure: the same set, container and groups give the same grants on every replica.
/// </summary>
public static class PermissionGrants
{
    public static DerivedGrants Derive(PolicySet set, string container, IReadOnlyList<Capability> requested, IReadOnlyCollection<string> groups)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentException.ThrowIfNullOrEmpty(container);
        ArgumentNullException.ThrowIfNull(requested);
        ArgumentNullException.ThrowIfNull(groups);
        IEnumerable<string> distinct = groups.Count == 0 ? [""] : groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        // The rules covering the container in each group, found once per group rather than once per permission.
        var judged = distinct.Select(g => (Group: g, Rules: set.PermissionRules.Where(r => r.Covers(container, g)).ToList())).ToList();
        var granted = new List<Capability>();
        var withheld = new List<WithheldPermission>();
        foreach (var permission in requested.Distinct())
        {
            WithheldPermission? refusal = null;
            foreach (var (group, rules) in judged)
            {
                if (rules.Any(r => r.Capabilities.Any(c => c.Covers(permission)))) continue;
                refusal = new WithheldPermission(permission, group, [.. rules.Select(r => r.Name)], rules.FirstOrDefault()?.At);
                break;
            }
            if (refusal is null) granted.Add(permission);
            else withheld.Add(refusal);
        }
        return new DerivedGrants([.. granted], [.. withheld], set.Digest);
    }
}
