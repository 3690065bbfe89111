using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Content;

/// <summary>
/// What the graph code needs from a manifest or index: its children (config + layers, or the
/// index's manifests), its subject, and the fields a referrers listing reports.
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/manifest.md and image-index.md
/// </summary>
public sealed record ManifestNode(
    Descriptor Descriptor,
    IReadOnlyList<Descriptor> Children,
    Descriptor? Subject,
    string? ArtifactType,
    IReadOnlyDictionary<string, string>? Annotations)
{
    /// <summary>True for media types this library walks as manifests (OCI/Docker manifests and indexes).</summary>
    public static bool IsManifest(Descriptor descriptor) => MediaTypes.IsManifest(descriptor?.MediaType);

    /// <summary>
    /// Parses the (already digest-verified) bytes of <paramref name="descriptor"/>; throws
    /// <see cref="InvalidManifestException"/> listing every problem, also when the document's own
    /// <c>mediaType</c> contradicts the descriptor's.
    /// </summary>
    public static ManifestNode Parse(Descriptor descriptor, ReadOnlySpan<byte> content)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var declared = OciJson.PeekMediaType(content);
        if (declared is not null && declared != descriptor.MediaType)
            throw new InvalidManifestException([$"$.mediaType: document says '{declared}' but its descriptor says '{descriptor.MediaType}'"]);
        if (MediaTypes.IsIndex(descriptor.MediaType))
        {
            var index = OciJson.Deserialize<ImageIndex>(content);
            return new ManifestNode(descriptor, index.Manifests, index.Subject, index.ArtifactType, index.Annotations);
        }
        if (MediaTypes.IsManifest(descriptor.MediaType))
        {
            var manifest = OciJson.Deserialize<ImageManifest>(content);
            var children = new List<Descriptor>(manifest.Layers.Count + 1) { manifest.Config };
            children.AddRange(manifest.Layers);
            return new ManifestNode(descriptor, children, manifest.Subject, manifest.EffectiveArtifactType, manifest.Annotations);
        }
        return new ManifestNode(descriptor, [], null, null, null);
    }

    /// <summary>The descriptor a referrers listing holds for this manifest (artifactType and annotations copied).</summary>
    public Descriptor AsReferrer() => new()
    {
        MediaType = Descriptor.MediaType,
        Digest = Descriptor.Digest,
        Size = Descriptor.Size,
        ArtifactType = ArtifactType,
        Annotations = Annotations is { Count: > 0 } ? Annotations : null,
    };
}
