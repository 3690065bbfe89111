using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Offline;

/// <summary>
/// Edits the delegations of top-level targets (offline, <c>atym tuf add-delegation</c>): a <c>vendor-NAME</c> role
/// (the vendor's keys, terminating, <c>sources/GLOB/*/module.wasm</c> per container-name glob) or a
/// <c>compiler-CLASS</c> role (the server's online compiler key, terminating, <c>images/CLASS/*/*/*/*</c>). Adding a
/// role that exists replaces it (new keys or patterns: how a vendor or compiler key is rotated). A key already
/// serving another delegation of a different kind, or a root role, is refused.
/// </summary>
public static class DelegationPlan
{
    public static TargetsMetadata WithVendor(TargetsMetadata targets, string vendor, RoleAssignment keys, IReadOnlyList<string> containerGlobs)
    {
        ArgumentNullException.ThrowIfNull(containerGlobs);
        if (containerGlobs.Count == 0) throw Invalid(vendor, "a vendor delegation needs at least one container-name pattern");
        var patterns = containerGlobs.Select(TargetPaths.VendorPattern).ToList();
        foreach (var pattern in patterns)
            if (!MetadataNames.IsPathPattern(pattern)) throw Invalid(vendor, $"'{pattern}' is not a path pattern (letters, digits, ._+=@~:,-, * and ?)");
        return With(targets, TargetPaths.VendorRole(vendor), keys, patterns);
    }

    /// <summary>
    /// Every vendor delegation replaced by <paramref name="vendors"/>, in that order (a device uses the first match), and
    /// compiler delegations kept: how delegations derived from a trust policy are applied (<c>atym tuf delegations --apply</c>).
    /// </summary>
    public static TargetsMetadata WithVendors(TargetsMetadata targets, IReadOnlyList<VendorAssignment> vendors)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(vendors);
        var existing = targets.Delegations ?? new Delegations(EquatableMap<TufKey>.Empty, EquatableList<DelegatedRole>.Empty);
        var roles = existing.Roles.Where(r => !r.Name.StartsWith("vendor-", StringComparison.Ordinal)).ToList();
        // Keys only the replaced vendor roles named stop counting anywhere.
        var used = roles.SelectMany(r => r.Keys.KeyIds).ToHashSet(StringComparer.Ordinal);
        var kept = targets with { Delegations = new Delegations(new EquatableMap<TufKey>(existing.Keys.Where(k => used.Contains(k.Key))), [.. roles]) };
        return vendors.Aggregate(kept, (t, v) => WithVendor(t, v.Vendor, v.Keys, v.ContainerGlobs));
    }

    public static TargetsMetadata WithCompiler(TargetsMetadata targets, string deviceClass, RoleAssignment keys) =>
        With(targets, TargetPaths.CompilerRole(deviceClass), keys, [TargetPaths.CompilerPattern(deviceClass)]);

    /// <summary>Checks that no key serves both a root role and a delegation, nor a vendor delegation and a compiler one.</summary>
    public static void CheckDistinct(TargetsMetadata targets, RootMetadata root)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(root);
        var roles = new Dictionary<string, RoleAssignment>(StringComparer.Ordinal);
        foreach (var (name, role) in root.Roles) roles[name] = new RoleAssignment(new EquatableList<TufKey>(role.KeyIds.Select(id => root.Keys[id])), role.Threshold);
        // One group per kind: vendor roles may share a vendor's key (a trust policy gives one vendor several rules,
        // e.g. 2-of-2 for one container and 1-of-1 for the rest: docs/trust-model.md §1.1), never a compiler's or a root role's.
        foreach (var group in (targets.Delegations?.Roles ?? []).GroupBy(r => KindOf(r.Name)))
        {
            var keys = group.SelectMany(r => r.Keys.KeyIds).Distinct(StringComparer.Ordinal).Select(id => targets.Delegations!.Keys[id]);
            roles["delegation " + group.Key] = new RoleAssignment(new EquatableList<TufKey>(keys), 1);
        }
        RootPlan.CheckDistinct(roles);
    }

    private static string KindOf(string role) =>
        role.StartsWith("compiler-", StringComparison.Ordinal) ? "compiler" : role.StartsWith("vendor-", StringComparison.Ordinal) ? "vendor" : role;

    private static TargetsMetadata With(TargetsMetadata targets, string role, RoleAssignment keys, IReadOnlyList<string> paths)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(keys);
        if (!MetadataNames.IsRoleName(role)) throw Invalid(role, "not a role name ([a-z0-9][a-z0-9._-]*)");
        if (keys.Keys.Count == 0 || keys.Threshold < 1 || keys.Threshold > keys.Keys.Count)
            throw new ProblemException("delegation", new Problem(RootPlan.BadThreshold, role, $"threshold {keys.Threshold} with {keys.Keys.Count} key(s)"));
        var existing = targets.Delegations ?? new Delegations(EquatableMap<TufKey>.Empty, EquatableList<DelegatedRole>.Empty);
        var delegated = new DelegatedRole(role, keys.ToRoleKeys(), Terminating: true, Paths: new EquatableList<string>(paths));
        var roles = existing.Roles.Where(r => r.Name != role).Append(delegated).ToList();
        // Keys no remaining role names are dropped, so a replaced vendor key stops counting anywhere.
        var used = roles.SelectMany(r => r.Keys.KeyIds).ToHashSet(StringComparer.Ordinal);
        var allKeys = existing.Keys.Where(k => used.Contains(k.Key)).Concat(keys.Keys.Select(k => KeyValuePair.Create(k.KeyId, k)))
            .DistinctBy(k => k.Key);
        return targets with { Delegations = new Delegations(new EquatableMap<TufKey>(allKeys), new EquatableList<DelegatedRole>(roles)) };
    }

    private static ProblemException Invalid(string role, string detail) => new("delegation", new Problem("delegation-invalid", role, detail));
}

/// <summary>One vendor delegation to apply: <c>vendor-VENDOR</c>, its keys and threshold, its container-name globs.</summary>
public sealed record VendorAssignment(string Vendor, RoleAssignment Keys, IReadOnlyList<string> ContainerGlobs);
