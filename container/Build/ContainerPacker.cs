using AtymSecure.Formats.Container;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Container.Build;

/// <summary>One blob of a packed container: its descriptor and bytes.</summary>
public sealed record PackedBlob(Descriptor Descriptor, ReadOnlyMemory<byte> Content);

/// <summary>A container ready to store: manifest bytes and descriptor, plus every blob it references.</summary>
public sealed record PackedContainer(Descriptor Manifest, byte[] ManifestBytes, ImageManifest ManifestDocument, IReadOnlyList<PackedBlob> Blobs);

/// <summary>When and by whom; the only inputs of packing besides the content.</summary>
public sealed record PackOptions
{
    /// <summary>Build time (from SOURCE_DATE_EPOCH); null writes the fixed epoch in the Wasm config and no created annotation.</summary>
    public DateTimeOffset? Created { get; init; }

    public string? Author { get; init; }
}

/// <summary>
/// Lays out an Atym container as an OCI v1.1 image manifest (docs/container-format.md#artifact): config
/// <c>application/vnd.wasm.config.v0+json</c>; layers [0] the module (<c>application/wasm</c>), [1] the container
/// config, [2..] named blobs annotated <c>dev.atym.blob.name</c>. Pure and deterministic: equal inputs give equal
/// bytes (canonical JSON, ordinal-sorted annotations, no wall-clock time).
/// </summary>
public static class ContainerPacker
{
    public static PackedContainer Pack(ReadOnlyMemory<byte> module, ContainerConfig config,
        IReadOnlyList<ReadOnlyMemory<byte>> blobContents, PackOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(blobContents);
        options ??= new PackOptions();
        if (blobContents.Count != config.Blobs.Count)
            throw new ArgumentException($"{blobContents.Count} blob contents for {config.Blobs.Count} declared blobs", nameof(blobContents));

        var layers = new List<PackedBlob>
        {
            Blob(ContainerMediaTypes.WasmLayer, module, null),
            Blob(ContainerMediaTypes.ContainerConfig, ContainerConfigJson.Serialize(config), null),
        };
        for (var i = 0; i < config.Blobs.Count; i++)
        {
            var declared = config.Blobs[i];
            var blob = Blob(declared.MediaType, blobContents[i], Annotations(
                (ContainerMediaTypes.BlobNameAnnotation, declared.Name),
                (AnnotationKeys.Title, declared.Name)));
            if (blob.Descriptor.Digest.ToString() != declared.Digest || blob.Descriptor.Size != declared.Size)
                throw new ContainerBuildException(BuildProblemCodes.BlobMismatch, $"blobs['{declared.Name}']",
                    $"blob '{declared.Name}' content ({blob.Descriptor.Digest}, {blob.Descriptor.Size} bytes) differs from the config ({declared.Digest}, {declared.Size} bytes)");
            layers.Add(blob);
        }

        var wasmConfig = new WasmArtifactConfig
        {
            Created = options.Created ?? WasmArtifactConfig.FixedCreated,
            Author = options.Author,
            LayerDigests = [.. layers.Select(l => l.Descriptor.Digest.ToString())],
        };
        var configBlob = Blob(ContainerMediaTypes.WasmConfig, wasmConfig.Serialize(), null);

        var manifestAnnotations = new List<(string, string)>
        {
            (AnnotationKeys.Title, config.Name),
            (AnnotationKeys.Version, config.Version!.ToString()),
        };
        if (options.Created is { } created) manifestAnnotations.Add((AnnotationKeys.Created, WasmArtifactConfig.FormatTime(created)));
        var manifest = new ImageManifest
        {
            Config = configBlob.Descriptor,
            Layers = [.. layers.Select(l => l.Descriptor)],
            Annotations = Annotations([.. manifestAnnotations]),
        };
        var manifestBytes = OciJson.Serialize(manifest);
        var manifestDescriptor = Descriptor.FromBytes(MediaTypes.ImageManifest, manifestBytes);
        return new PackedContainer(manifestDescriptor, manifestBytes, manifest, [configBlob, .. layers]);
    }

    private static PackedBlob Blob(string mediaType, ReadOnlyMemory<byte> content, IReadOnlyDictionary<string, string>? annotations) =>
        new(Descriptor.FromBytes(mediaType, content.Span, annotations), content);

    /// <summary>Annotations in ordinal key order, so serialization is canonical.</summary>
    private static SortedDictionary<string, string> Annotations(params (string Key, string Value)[] pairs)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in pairs) result[k] = v;
        return result;
    }
}
