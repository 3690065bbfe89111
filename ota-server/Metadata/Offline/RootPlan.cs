using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;

namespace AtymSecure.OtaMetadata.Offline;

/// <summary>The keys and threshold one role gets in a root or a delegation.</summary>
public sealed record RoleAssignment(EquatableList<TufKey> Keys, int Threshold)
{
    public RoleKeys ToRoleKeys() => new(new EquatableList<string>(Keys.Select(k => k.KeyId)), Threshold);
}

/// <summary>
/// Builds a root document from role assignments, enforcing what <c>atym tuf</c> promises (docs/trust-model.md §1):
/// one key never serves two roles (a stolen online timestamp key must not also be a root key), a threshold between
/// 1 and the number of keys, and a role for every name the repository needs. The image repository needs root,
/// targets, snapshot and timestamp; the director root and targets.
/// </summary>
public static class RootPlan
{
    public const string KeyInTwoRoles = "key-in-two-roles";
    public const string BadThreshold = "threshold-invalid";

    public static readonly IReadOnlyList<string> ImageRoles = ["root", "targets", "snapshot", "timestamp"];
    public static readonly IReadOnlyList<string> DirectorRoles = ["root", "targets"];

    public static RootMetadata Build(long version, DateTimeOffset expires, IReadOnlyDictionary<string, RoleAssignment> roles, bool consistentSnapshot)
    {
        ArgumentNullException.ThrowIfNull(roles);
        CheckDistinct(roles);
        var keys = new Dictionary<string, TufKey>(StringComparer.Ordinal);
        foreach (var (name, role) in roles)
        {
            if (role.Keys.Count == 0 || role.Threshold < 1 || role.Threshold > role.Keys.Count)
                throw new ProblemException("root", new Problem(BadThreshold, $"roles.{name}", $"threshold {role.Threshold} with {role.Keys.Count} key(s): it must be 1..{role.Keys.Count}"));
            foreach (var key in role.Keys) keys[key.KeyId] = key;
        }
        return new RootMetadata
        {
            Version = version,
            Expires = expires,
            ConsistentSnapshot = consistentSnapshot,
            Keys = new EquatableMap<TufKey>(keys),
            Roles = new EquatableMap<RoleKeys>(roles.Select(r => KeyValuePair.Create(r.Key, r.Value.ToRoleKeys()))),
        };
    }

    /// <summary>Refuses a key (by public key, not id spelling) that two roles name.</summary>
    public static void CheckDistinct(IReadOnlyDictionary<string, RoleAssignment> roles)
    {
        ArgumentNullException.ThrowIfNull(roles);
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, role) in roles.OrderBy(r => r.Key, StringComparer.Ordinal))
            foreach (var key in role.Keys.DistinctBy(k => k.PublicKeyIdentity))
            {
                if (owner.TryGetValue(key.PublicKeyIdentity, out var other))
                    throw new ProblemException("root", new Problem(KeyInTwoRoles, $"roles.{name}",
                        $"key {key.KeyId[..12]} is already the {other} role's: one key never serves two roles (make a new key)"));
                owner[key.PublicKeyIdentity] = name;
            }
    }
}
