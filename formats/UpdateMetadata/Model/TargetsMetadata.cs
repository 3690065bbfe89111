using AtymSecure.Primitives;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>
/// One target file (TUF §4.5, TARGETS): its exact length, its hashes and an optional <c>custom</c> object. Our
/// custom layouts (compiled image, source Wasm, director assignment) are read by <see cref="ImageTargetCustom"/>,
/// <see cref="DirectorTargetCustom"/>; this type keeps <c>custom</c> as JSON so any layout round-trips.
/// </summary>
public sealed record TargetFile(long Length, EquatableMap<string> Hashes, CanonicalJsonObject? Custom = null)
{
    public string Sha256 => Hashes[FileHashes.Sha256];

    public CanonicalJsonObject ToJson() => CanonicalJsonObject.Of(
        ("length", Length),
        ("hashes", CanonicalJsonObject.Of(Hashes, h => h)),
        ("custom", Custom));

    public static TargetFile FromJson(JsonFields fields) => new(
        fields.Integer("length", 0, CanonicalJsonValue.MaxSafeInteger),
        FileHashes.FromJson(fields.Nested("hashes")),
        fields.Has("custom") ? fields.Nested("custom").Object : null);

    public static TargetFile Describe(ReadOnlySpan<byte> bytes, CanonicalJsonObject? custom = null) =>
        new(bytes.Length, FileHashes.Sha256Of(bytes), custom);
}

/// <summary>
/// Targets metadata (TUF §4.5): target files by path and optional delegations. <see cref="Custom"/> is the top-level
/// <c>custom</c> object the director puts beside <c>targets</c> (device id, class, nonce: <see cref="DirectorDocumentCustom"/>);
/// standard clients ignore it as an unrecognized field, and the signature covers it.
/// </summary>
public sealed record TargetsMetadata : RoleMetadata, IRoleMetadata<TargetsMetadata>
{
    public static string TypeName => "targets";

    public override string Type => TypeName;

    public required EquatableMap<TargetFile> Targets { get; init; }

    public Delegations? Delegations { get; init; }

    public CanonicalJsonObject? Custom { get; init; }

    protected override IEnumerable<(string Name, CanonicalJsonValue? Value)> Body() =>
    [
        ("targets", CanonicalJsonObject.Of(Targets, t => t.ToJson())),
        ("delegations", Delegations?.ToJson()),
        ("custom", Custom),
    ];

    public static TargetsMetadata FromJson(JsonFields signed)
    {
        var (version, expires, spec) = ReadHeader(signed, TypeName);
        var targetsJson = signed.Nested("targets");
        var targets = new Dictionary<string, TargetFile>(StringComparer.Ordinal);
        foreach (var (path, value) in targetsJson.Members)
        {
            if (!MetadataNames.IsTargetPath(path)) throw JsonFields.Malformed(targetsJson.PathOf(path), "not a target path (relative, segments of [A-Za-z0-9._+=@~:,-], none starting with '.')");
            targets.Add(path, TargetFile.FromJson(JsonFields.Of(value, targetsJson.PathOf(path))));
        }
        return new TargetsMetadata
        {
            Version = version,
            Expires = expires,
            SpecVersion = spec,
            Targets = new EquatableMap<TargetFile>(targets),
            Delegations = signed.Has("delegations") ? Delegations.FromJson(signed.Nested("delegations")) : null,
            Custom = signed.Has("custom") ? signed.Nested("custom").Object : null,
        };
    }
}
