using AtymSecure.Primitives;
using System.Security.Cryptography;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>
/// How a timestamp or snapshot lists another metadata file (TUF §4.4, METAFILES): its version, and optionally its
/// length and hashes. We always write all three, so a device can cap the download and check the bytes.
/// </summary>
public sealed record MetaFile(long Version, long? Length = null, EquatableMap<string>? Hashes = null)
{
    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        ("version", Version),
        ("length", Length is { } l ? l : null),
        ("hashes", Hashes is null ? null : CanonicalJsonObject.Of(Hashes, h => h)));

    public static MetaFile FromJson(JsonFields fields) => new(
        fields.Integer("version", 1, CanonicalJsonValue.MaxSafeInteger),
        fields.OptionalInteger("length", 0, CanonicalJsonValue.MaxSafeInteger),
        fields.Has("hashes") ? FileHashes.FromJson(fields.Nested("hashes")) : null);

    /// <summary>A listing of <paramref name="bytes"/> at <paramref name="version"/> with length and sha256.</summary>
    public static MetaFile Describe(long version, ReadOnlySpan<byte> bytes) =>
        new(version, bytes.Length, FileHashes.Sha256Of(bytes));
}

/// <summary>Timestamp metadata (TUF §4.6): the version, length and hash of the current snapshot, signed by an online key.</summary>
public sealed record TimestampMetadata : RoleMetadata, IRoleMetadata<TimestampMetadata>
{
    public const string SnapshotFile = "snapshot.json";

    public static string TypeName => "timestamp";

    public override string Type => TypeName;

    public required MetaFile Snapshot { get; init; }

    protected override IEnumerable<(string Name, CanonicalJsonValue? Value)> Body() =>
        [("meta", CanonicalJsonObject.Of((SnapshotFile, Snapshot.ToJson())))];

    public static TimestampMetadata FromJson(JsonFields signed)
    {
        var (version, expires, spec) = ReadHeader(signed, TypeName);
        var meta = signed.Nested("meta");
        foreach (var (name, _) in meta.Members)
            if (name != SnapshotFile) throw JsonFields.Malformed(meta.PathOf(name), "a timestamp lists snapshot.json only");
        return new TimestampMetadata { Version = version, Expires = expires, SpecVersion = spec, Snapshot = MetaFile.FromJson(meta.Nested(SnapshotFile)) };
    }
}

/// <summary>
/// Snapshot metadata (TUF §4.5): the version (and length and hash) of top-level targets and of every delegated
/// targets file, keyed <c>ROLE.json</c>, so a device never mixes targets files from different times.
/// </summary>
public sealed record SnapshotMetadata : RoleMetadata, IRoleMetadata<SnapshotMetadata>
{
    public static string TypeName => "snapshot";

    public override string Type => TypeName;

    public required EquatableMap<MetaFile> Meta { get; init; }

    public static string FileOf(string role) => role + ".json";

    protected override IEnumerable<(string Name, CanonicalJsonValue? Value)> Body() =>
        [("meta", CanonicalJsonObject.Of(Meta, m => m.ToJson()))];

    public static SnapshotMetadata FromJson(JsonFields signed)
    {
        var (version, expires, spec) = ReadHeader(signed, TypeName);
        var meta = signed.Nested("meta");
        var files = new Dictionary<string, MetaFile>(StringComparer.Ordinal);
        foreach (var (name, value) in meta.Members)
        {
            if (files.Count > MetadataNames.MaxDelegatedRoles) throw JsonFields.Malformed(meta.Path, $"more than {MetadataNames.MaxDelegatedRoles + 1} files");
            var role = name.EndsWith(".json", StringComparison.Ordinal) ? name[..^5] : "";
            if (role != "targets" && !MetadataNames.IsRoleName(role)) throw JsonFields.Malformed(meta.PathOf(name), "not ROLE.json for targets or a delegated role");
            files.Add(name, MetaFile.FromJson(JsonFields.Of(value, meta.PathOf(name))));
        }
        return new SnapshotMetadata { Version = version, Expires = expires, SpecVersion = spec, Meta = new EquatableMap<MetaFile>(files) };
    }
}

/// <summary>The <c>hashes</c> object of a listing or target: sha256 (required) and sha512, lower-case hex.</summary>
public static class FileHashes
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    public static EquatableMap<string> Sha256Of(ReadOnlySpan<byte> bytes) =>
        new([KeyValuePair.Create(Sha256, Convert.ToHexStringLower(SHA256.HashData(bytes)))]);

    public static EquatableMap<string> FromJson(JsonFields hashes)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (algorithm, value) in hashes.Members)
        {
            var length = algorithm switch
            {
                Sha256 => 64,
                Sha512 => 128,
                _ => throw JsonFields.Malformed(hashes.PathOf(algorithm), "only sha256 and sha512 are read"),
            };
            var hex = JsonFields.StringValue(value, hashes.PathOf(algorithm), length);
            if (hex.Length != length || !TufKey.IsLowerHex(hex))
                throw JsonFields.Malformed(hashes.PathOf(algorithm), $"expected {length} lower-case hex digits");
            result.Add(algorithm, hex);
        }
        if (!result.ContainsKey(Sha256)) throw JsonFields.Malformed(hashes.PathOf(Sha256), "required");
        return new EquatableMap<string>(result);
    }

    /// <summary>True when every listed hash matches <paramref name="bytes"/>.</summary>
    public static bool Match(EquatableMap<string> hashes, ReadOnlySpan<byte> bytes)
    {
        foreach (var (algorithm, hex) in hashes)
        {
            var actual = algorithm switch
            {
                Sha256 => SHA256.HashData(bytes),
                Sha512 => SHA512.HashData(bytes),
                _ => null,
            };
            if (actual is null || Convert.ToHexStringLower(actual) != hex) return false;
        }
        return true;
    }
}
