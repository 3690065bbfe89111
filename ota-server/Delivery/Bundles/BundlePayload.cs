using AtymSecure.Formats.Bundle;

namespace AtymSecure.Delivery.Bundles;

/// <summary>The bytes a bundle carries and how the device turns them into the target image.</summary>
public sealed record BundlePayload(PayloadKind Kind, PayloadCodec Codec, ReadOnlyMemory<byte> Bytes, byte[]? BaseDigest = null, ulong? BaseSize = null)
{
    public static BundlePayload Full(ReadOnlyMemory<byte> target) => new(PayloadKind.Full, PayloadCodec.None, target);
}

/// <summary>Who the bundle is for and what it installs; everything of the header but the payload facts.</summary>
public sealed record BundleTarget
{
    public required string ContainerName { get; init; }
    public required string ContainerVersion { get; init; }
    public required ulong SecurityCounter { get; init; }
    public required string DeviceClass { get; init; }
    public required string TargetTriple { get; init; }
    /// <summary>The code's kind; with <see cref="ImageFormat.ContainerImageV1"/> the kind of the code section inside the image.</summary>
    public required ArtifactKind ArtifactKind { get; init; }
    /// <summary>Raw compiled artifact (default) or a container image (docs/container-image-format.md).</summary>
    public ImageFormat ImageFormat { get; init; } = ImageFormat.RawArtifact;
    public required ReadOnlyMemory<byte> TargetImage { get; init; }
    public required DateTimeOffset Expires { get; init; }
    public DateTimeOffset? Created { get; init; }
    public string? ProvenanceDigest { get; init; }
    public string? SourceManifestDigest { get; init; }
    /// <summary>Small chunks for MCUs (less RAM per verified chunk), larger for Linux-class devices.</summary>
    public uint ChunkSize { get; init; } = 4096;
}
