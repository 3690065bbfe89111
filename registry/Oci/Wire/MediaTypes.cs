namespace AtymSecure.Oci.Wire;

/// <summary>
/// Media types used on the wire.
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/media-types.md
/// </summary>
public static class MediaTypes
{
    public const string ImageManifest = "application/vnd.oci.image.manifest.v1+json";
    public const string ImageIndex = "application/vnd.oci.image.index.v1+json";
    public const string ImageConfig = "application/vnd.oci.image.config.v1+json";
    public const string ImageLayer = "application/vnd.oci.image.layer.v1.tar";
    public const string ImageLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
    public const string EmptyJson = "application/vnd.oci.empty.v1+json";
    public const string DockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
    public const string DockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json";
    public const string OctetStream = "application/octet-stream";

    /// <summary>Manifest kinds this project stores and serves.</summary>
    public static readonly IReadOnlyList<string> Manifests =
        [ImageManifest, ImageIndex, DockerManifest, DockerManifestList];

    public static bool IsManifest(string? mediaType) => mediaType is not null && Manifests.Contains(mediaType);

    public static bool IsIndex(string? mediaType) => mediaType is ImageIndex or DockerManifestList;
}

/// <summary>Annotation keys of the image spec. Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/annotations.md</summary>
public static class AnnotationKeys
{
    public const string Created = "org.opencontainers.image.created";
    public const string Title = "org.opencontainers.image.title";
    public const string RefName = "org.opencontainers.image.ref.name";
    public const string Version = "org.opencontainers.image.version";
}
