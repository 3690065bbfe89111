using System.Text.Json.Serialization;

namespace AtymSecure.Oci.Wire;

/// <summary>
/// An OCI image manifest (also used for v1.1 artifacts).
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md
/// </summary>
public sealed record ImageManifest
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; } = 2;
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; } = MediaTypes.ImageManifest;
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }
    [JsonPropertyName("config")] public required Descriptor Config { get; init; }
    [JsonPropertyName("layers")] public IReadOnlyList<Descriptor> Layers { get; init; } = [];
    [JsonPropertyName("subject")] public Descriptor? Subject { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    /// <summary>Every problem at once, each with its JSON path.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SchemaVersion != 2) errors.Add("$.schemaVersion: must be 2");
        if (MediaType is not null && MediaType != MediaTypes.ImageManifest && MediaType != MediaTypes.DockerManifest)
            errors.Add($"$.mediaType: '{MediaType}' is not an image manifest media type");
        if (ArtifactType is not null && !MediaTypeGrammar.IsValid(ArtifactType))
            errors.Add($"$.artifactType: '{ArtifactType}' is not an RFC 6838 media type");
        if (Config is null) errors.Add("$.config: required");
        else
        {
            errors.AddRange(Config.Validate("$.config"));
            if (Config.MediaType == MediaTypes.EmptyJson && ArtifactType is null && MediaType == MediaTypes.ImageManifest)
                errors.Add("$.artifactType: required when config is the empty descriptor");
        }
        if (Layers is null) errors.Add("$.layers: required");
        else for (var i = 0; i < Layers.Count; i++)
        {
            if (Layers[i] is null) errors.Add($"$.layers[{i}]: null");
            else errors.AddRange(Layers[i].Validate($"$.layers[{i}]"));
        }
        if (Subject is not null) errors.AddRange(Subject.Validate("$.subject"));
        return errors;
    }

    /// <summary>The artifact type a referrers listing reports: artifactType, else config media type.</summary>
    [JsonIgnore]
    public string? EffectiveArtifactType => ArtifactType ?? Config?.MediaType;
}
