using System.Text.Json.Serialization;

namespace AtymSecure.Oci.Wire;

/// <summary>
/// An OCI image index (also the body of a referrers response).
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/image-index.md
/// </summary>
public sealed record ImageIndex
{
    [JsonPropertyName("schemaVersion")] public int SchemaVersion { get; init; } = 2;
    [JsonPropertyName("mediaType")] public string? MediaType { get; init; } = MediaTypes.ImageIndex;
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }
    [JsonPropertyName("manifests")] public IReadOnlyList<Descriptor> Manifests { get; init; } = [];
    [JsonPropertyName("subject")] public Descriptor? Subject { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (SchemaVersion != 2) errors.Add("$.schemaVersion: must be 2");
        if (MediaType is not null && MediaType != MediaTypes.ImageIndex && MediaType != MediaTypes.DockerManifestList)
            errors.Add($"$.mediaType: '{MediaType}' is not an image index media type");
        if (ArtifactType is not null && !MediaTypeGrammar.IsValid(ArtifactType))
            errors.Add($"$.artifactType: '{ArtifactType}' is not an RFC 6838 media type");
        if (Manifests is null) errors.Add("$.manifests: required");
        else for (var i = 0; i < Manifests.Count; i++)
        {
            if (Manifests[i] is null) errors.Add($"$.manifests[{i}]: null");
            else errors.AddRange(Manifests[i].Validate($"$.manifests[{i}]"));
        }
        if (Subject is not null) errors.AddRange(Subject.Validate("$.subject"));
        return errors;
    }
}
