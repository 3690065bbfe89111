using AtymSecure.Primitives;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>The <c>delegations</c> of a targets file (TUF §4.5): the keys the delegated roles use and the roles, in order.</summary>
public sealed record Delegations(EquatableMap<TufKey> Keys, EquatableList<DelegatedRole> Roles)
{
    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        ("keys", CanonicalJsonObject.Of(Keys, k => k.ToJson())),
        ("roles", new CanonicalJsonArray(Roles.Select(r => (CanonicalJsonValue)r.ToJson()))));

    public static Delegations FromJson(JsonFields fields)
    {
        var keys = TufKey.ReadKeyMap(fields, "keys", MetadataNames.MaxKeys);
        var items = fields.Array("roles", MetadataNames.MaxDelegatedRoles);
        var roles = new List<DelegatedRole>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"{fields.PathOf("roles")}[{i}]";
            var role = DelegatedRole.FromJson(JsonFields.Of(items[i], path), keys);
            if (roles.Any(r => r.Name == role.Name)) throw JsonFields.Malformed(path, $"role '{role.Name}' is delegated twice");
            roles.Add(role);
        }
        return new Delegations(keys, new EquatableList<DelegatedRole>(roles));
    }
}

/// <summary>
/// One delegation: a role name, its keys and threshold, whether it is terminating, and which target paths it may
/// sign — either <see cref="Paths"/> (shell-style patterns matched per path segment, as python-tuf and tuf-js do:
/// <c>*</c> never crosses a <c>/</c>, and pattern and path have the same number of segments) or
/// <see cref="PathHashPrefixes"/> (hex prefixes of the path's SHA-256). Exactly one of the two is set.
/// </summary>
public sealed record DelegatedRole(
    string Name,
    RoleKeys Keys,
    bool Terminating,
    EquatableList<string>? Paths = null,
    EquatableList<string>? PathHashPrefixes = null)
{
    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        ("name", Name),
        ("keyids", CanonicalJsonArray.Of(Keys.KeyIds)),
        ("threshold", (long)Keys.Threshold),
        ("terminating", Terminating),
        ("paths", Paths is null ? null : CanonicalJsonArray.Of(Paths)),
        ("path_hash_prefixes", PathHashPrefixes is null ? null : CanonicalJsonArray.Of(PathHashPrefixes)));

    public static DelegatedRole FromJson(JsonFields fields, IReadOnlyDictionary<string, TufKey> keys)
    {
        var name = fields.String("name", 128);
        if (!MetadataNames.IsRoleName(name)) throw JsonFields.Malformed(fields.PathOf("name"), $"'{name}' is not a delegated role name ([a-z0-9][a-z0-9._-]*, not a top-level role)");
        var paths = fields.Has("paths")
            ? fields.StringSet("paths", MetadataNames.MaxPathPatterns, MetadataNames.IsPathPattern, "a path pattern (target-path characters, * and ?)")
            : null;
        var prefixes = fields.Has("path_hash_prefixes")
            ? fields.StringSet("path_hash_prefixes", MetadataNames.MaxPathPatterns, MetadataNames.IsHashPrefix, "a lower-case hex prefix")
            : null;
        if ((paths is null) == (prefixes is null)) throw JsonFields.Malformed(fields.Path, "exactly one of 'paths' and 'path_hash_prefixes' is required");
        return new DelegatedRole(name, RoleKeys.FromJson(fields, keys), fields.Boolean("terminating"), paths, prefixes);
    }

    /// <summary>True when this role may sign <paramref name="targetPath"/>.</summary>
    public bool Covers(string targetPath)
    {
        if (Paths is not null) return Paths.Any(pattern => PathPattern.Matches(pattern, targetPath));
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(targetPath)));
        return PathHashPrefixes!.Any(prefix => hash.StartsWith(prefix, StringComparison.Ordinal));
    }
}

/// <summary>
/// TUF delegation path patterns: pattern and path split on <c>/</c> into the same number of segments, each segment
/// matched as a shell glob where <c>*</c> is any run of characters and <c>?</c> one character (python-tuf
/// <c>fnmatch</c>, tuf-js <c>minimatch</c>; the syntax both read the same way, <see cref="MetadataNames.IsPathPattern"/>).
/// </summary>
public static class PathPattern
{
    public static bool Matches(string pattern, string path)
    {
        var patternParts = pattern.Split('/');
        var pathParts = path.Split('/');
        if (patternParts.Length != pathParts.Length) return false;
        for (var i = 0; i < pathParts.Length; i++)
            if (!SegmentMatches(patternParts[i], pathParts[i])) return false;
        return true;
    }

    // Iterative glob with single backtrack point: linear in practice, never exponential.
    private static bool SegmentMatches(string pattern, string text)
    {
        int p = 0, t = 0, starP = -1, starT = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t]) && pattern[p] != '*')
            {
                p++;
                t++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                starP = p++;
                starT = t;
            }
            else if (starP >= 0)
            {
                p = starP + 1;
                t = ++starT;
            }
            else
            {
                return false;
            }
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
