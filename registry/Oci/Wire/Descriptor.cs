using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Wire;

/// <summary>
/// A content descriptor. Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/descriptor.md
/// </summary>
public sealed record Descriptor
{
    [JsonPropertyName("mediaType")] public required string MediaType { get; init; }
    [JsonPropertyName("digest")] public required Digest Digest { get; init; }
    [JsonPropertyName("size")] public required long Size { get; init; }
    [JsonPropertyName("urls")] public IReadOnlyList<string>? Urls { get; init; }
    [JsonPropertyName("annotations")] public IReadOnlyDictionary<string, string>? Annotations { get; init; }
    [JsonPropertyName("data")] public byte[]? Data { get; init; }
    [JsonPropertyName("artifactType")] public string? ArtifactType { get; init; }
    [JsonPropertyName("platform")] public Platform? Platform { get; init; }

    /// <summary>The empty JSON descriptor (<c>{}</c>) used as config of artifacts without one.</summary>
    public static Descriptor Empty { get; } = new()
    {
        MediaType = MediaTypes.EmptyJson,
        Digest = Digest.Parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
        Size = 2,
        Data = "{}"u8.ToArray(),
    };

    public static ReadOnlyMemory<byte> EmptyContent => "{}"u8.ToArray();

    /// <summary>A descriptor for the given bytes.</summary>
    public static Descriptor FromBytes(string mediaType, ReadOnlySpan<byte> content,
        IReadOnlyDictionary<string, string>? annotations = null, string? artifactType = null) => new()
    {
        MediaType = mediaType,
        Digest = Digest.Compute(content),
        Size = content.Length,
        Annotations = annotations,
        ArtifactType = artifactType,
    };

    /// <summary>Every problem with this descriptor, prefixed with <paramref name="path"/>.</summary>
    public IEnumerable<string> Validate(string path)
    {
        if (string.IsNullOrWhiteSpace(MediaType)) yield return $"{path}.mediaType: required";
        else if (!MediaTypeGrammar.IsValid(MediaType)) yield return $"{path}.mediaType: '{MediaType}' is not an RFC 6838 media type";
        if (Digest.Algorithm is null) yield return $"{path}.digest: required";
        if (Size < 0) yield return $"{path}.size: must not be negative";
        if (ArtifactType is not null && !MediaTypeGrammar.IsValid(ArtifactType))
            yield return $"{path}.artifactType: '{ArtifactType}' is not an RFC 6838 media type";
        if (Data is not null)
        {
            if (Data.Length != Size) yield return $"{path}.data: length {Data.Length} differs from size {Size}";
            else if (Digest.IsSupported && !Digest.Matches(Data)) yield return $"{path}.data: does not match digest";
        }
    }
}

/// <summary>Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/image-index.md#image-index-property-descriptions</summary>
public sealed record Platform
{
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("os")] public required string Os { get; init; }
    [JsonPropertyName("os.version")] public string? OsVersion { get; init; }
    [JsonPropertyName("os.features")] public IReadOnlyList<string>? OsFeatures { get; init; }
    [JsonPropertyName("variant")] public string? Variant { get; init; }
}
