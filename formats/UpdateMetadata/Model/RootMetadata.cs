using AtymSecure.Primitives;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>The key ids and threshold of one role, as a root or a delegation lists them.</summary>
public sealed record RoleKeys(EquatableList<string> KeyIds, int Threshold)
{
    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        ("keyids", CanonicalJsonArray.Of(KeyIds)),
        ("threshold", (long)Threshold));

    /// <summary>Reads keyids and threshold; every id must name a key in <paramref name="keys"/>.</summary>
    public static RoleKeys FromJson(JsonFields role, IReadOnlyDictionary<string, TufKey> keys)
    {
        var ids = role.StringSet("keyids", MetadataNames.MaxKeyIdsPerRole, MetadataNames.IsKeyId, "a key id (64 lower-case hex digits)");
        for (var i = 0; i < ids.Count; i++)
            if (!keys.ContainsKey(ids[i])) throw JsonFields.Malformed($"{role.PathOf("keyids")}[{i}]", $"key {ids[i]} is not in the keys of this file");
        var threshold = (int)role.Integer("threshold", 1, MetadataNames.MaxThreshold);
        return new RoleKeys(ids, threshold);
    }
}

/// <summary>
/// Root metadata (TUF §4.3): the keys and thresholds of the top-level roles. The image repository's root names all
/// four roles; the director's names root and targets only (docs/trust-model.md §11.1), so readers accept a subset
/// and the verifier requires the roles its repository needs.
/// </summary>
public sealed record RootMetadata : RoleMetadata, IRoleMetadata<RootMetadata>
{
    public static string TypeName => "root";

    public override string Type => TypeName;

    public bool ConsistentSnapshot { get; init; } = true;

    public required EquatableMap<TufKey> Keys { get; init; }

    public required EquatableMap<RoleKeys> Roles { get; init; }

    /// <summary>The keys of <paramref name="role"/> with its threshold, or null when this root does not define the role.</summary>
    public RoleKeys? RoleOrNull(string role) => Roles.TryGetValue(role, out var keys) ? keys : null;

    protected override IEnumerable<(string Name, CanonicalJsonValue? Value)> Body() =>
    [
        ("consistent_snapshot", ConsistentSnapshot),
        ("keys", CanonicalJsonObject.Of(Keys, k => k.ToJson())),
        ("roles", CanonicalJsonObject.Of(Roles, r => r.ToJson())),
    ];

    public static RootMetadata FromJson(JsonFields signed)
    {
        var (version, expires, spec) = ReadHeader(signed, TypeName);
        var keys = TufKey.ReadKeyMap(signed, "keys", MetadataNames.MaxKeys);
        var rolesJson = signed.Nested("roles");
        var roles = new Dictionary<string, RoleKeys>(StringComparer.Ordinal);
        foreach (var (name, value) in rolesJson.Members)
        {
            if (!MetadataNames.TopLevelRoles.Contains(name)) throw JsonFields.Malformed(rolesJson.PathOf(name), "not a top-level role");
            roles.Add(name, RoleKeys.FromJson(JsonFields.Of(value, rolesJson.PathOf(name)), keys));
        }
        if (!roles.ContainsKey("root")) throw JsonFields.Malformed(rolesJson.PathOf("root"), "required");
        return new RootMetadata
        {
            Version = version,
            Expires = expires,
            SpecVersion = spec,
            ConsistentSnapshot = signed.Boolean("consistent_snapshot"),
            Keys = keys,
            Roles = new EquatableMap<RoleKeys>(roles),
        };
    }
}
