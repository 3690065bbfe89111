using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace AtymSecure.Signer.Wire;

/// <summary>
/// The subset of a CycloneDX BOM (JSON, spec 1.5 and 1.6) that describes an Atym container.
/// Spec: https://cyclonedx.org/docs/1.6/json/ ; in-toto predicate type: https://cyclonedx.org/bom
/// </summary>
public sealed partial record CycloneDxBom : IValidatable
{
    public const string PredicateType = "https://cyclonedx.org/bom";
    public const string BomFormatValue = "CycloneDX";
    public const int MaxBytes = 16 * 1024 * 1024;

    [JsonPropertyName("bomFormat")] public string? BomFormat { get; init; } = BomFormatValue;
    [JsonPropertyName("specVersion")] public string? SpecVersion { get; init; } = "1.6";
    [JsonPropertyName("serialNumber")] public string? SerialNumber { get; init; }
    [JsonPropertyName("version")] public int Version { get; init; } = 1;
    [JsonPropertyName("metadata")] public CycloneDxMetadata? Metadata { get; init; }
    [JsonPropertyName("components")] public IReadOnlyList<CycloneDxComponent>? Components { get; init; }

    public static CycloneDxBom Parse(ReadOnlySpan<byte> json) => SignerJson.Parse<CycloneDxBom>(json, MaxBytes, "CycloneDX BOM");

    [GeneratedRegex("^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", RegexOptions.CultureInvariant)]
    private static partial Regex SerialNumberPattern();

    [GeneratedRegex("^([a-fA-F0-9]{32}|[a-fA-F0-9]{40}|[a-fA-F0-9]{64}|[a-fA-F0-9]{96}|[a-fA-F0-9]{128})$", RegexOptions.CultureInvariant)]
    private static partial Regex HashContentPattern();

    private static readonly string[] HashAlgorithms =
        ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512", "SHA3-256", "SHA3-384", "SHA3-512", "BLAKE2b-256", "BLAKE2b-384", "BLAKE2b-512", "BLAKE3"];

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (BomFormat != BomFormatValue) errors.Add($"$.bomFormat: must be '{BomFormatValue}'");
        if (SpecVersion is not ("1.5" or "1.6")) errors.Add($"$.specVersion: '{SpecVersion}' is not 1.5 or 1.6");
        if (SerialNumber is not null && !SerialNumberPattern().IsMatch(SerialNumber)) errors.Add("$.serialNumber: must be urn:uuid:<RFC 4122 UUID>");
        if (Version < 1) errors.Add("$.version: must be at least 1");
        if (Metadata?.Component is { } root) ValidateComponent(root, "$.metadata.component", errors);
        var components = Components ?? [];
        var refs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < components.Count; i++)
        {
            var c = components[i];
            if (c is null) { errors.Add($"$.components[{i}]: null"); continue; }
            ValidateComponent(c, $"$.components[{i}]", errors);
            if (c.BomRef is not null && !refs.Add(c.BomRef)) errors.Add($"$.components[{i}].bom-ref: '{c.BomRef}' is not unique");
        }
        return errors;
    }

    private static void ValidateComponent(CycloneDxComponent c, string path, List<string> errors)
    {
        if (string.IsNullOrEmpty(c.Type)) errors.Add($"{path}.type: required");
        if (string.IsNullOrEmpty(c.Name)) errors.Add($"{path}.name: required");
        var hashes = c.Hashes ?? [];
        for (var h = 0; h < hashes.Count; h++)
        {
            if (hashes[h] is not { } hash) { errors.Add($"{path}.hashes[{h}]: null"); continue; }
            if (!HashAlgorithms.Contains(hash.Alg)) errors.Add($"{path}.hashes[{h}].alg: '{hash.Alg}' is not a CycloneDX hash algorithm");
            if (hash.Content is null || !HashContentPattern().IsMatch(hash.Content)) errors.Add($"{path}.hashes[{h}].content: must be hex");
        }
    }
}

public sealed record CycloneDxMetadata
{
    [JsonPropertyName("timestamp")] public DateTimeOffset? Timestamp { get; init; }
    [JsonPropertyName("tools")] public CycloneDxTools? Tools { get; init; }
    [JsonPropertyName("component")] public CycloneDxComponent? Component { get; init; }
}

public sealed record CycloneDxTools
{
    [JsonPropertyName("components")] public IReadOnlyList<CycloneDxComponent>? Components { get; init; }
}

/// <summary>Spec: https://cyclonedx.org/docs/1.6/json/#components</summary>
public sealed record CycloneDxComponent
{
    [JsonPropertyName("type")] public string? Type { get; init; }
    [JsonPropertyName("bom-ref")] public string? BomRef { get; init; }
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("version")] public string? Version { get; init; }
    [JsonPropertyName("mime-type")] public string? MimeType { get; init; }
    [JsonPropertyName("purl")] public string? Purl { get; init; }
    [JsonPropertyName("hashes")] public IReadOnlyList<CycloneDxHash>? Hashes { get; init; }
    [JsonPropertyName("properties")] public IReadOnlyList<CycloneDxProperty>? Properties { get; init; }
}

public sealed record CycloneDxHash
{
    [JsonPropertyName("alg")] public string? Alg { get; init; }
    [JsonPropertyName("content")] public string? Content { get; init; }
}

public sealed record CycloneDxProperty
{
    [JsonPropertyName("name")] public string? Name { get; init; }
    [JsonPropertyName("value")] public string? Value { get; init; }
}
