using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Bundles;

/// <summary>
/// The one place a bundle header (docs/bundle-format.md) is made, straight from its sources: the container version,
/// the device class, the slot image the bundle installs, the payload that carries it and the cut's options.
/// </summary>
public static class BundleHeaderFactory
{
    /// <param name="sourceManifestDigest">OCI digest of the container manifest the image was built from, or null.</param>
    /// <exception cref="BundleFormatException">The header breaks a rule of the format (every problem listed).</exception>
    public static BundleHeader Create(ContainerConfig container, DeviceClass deviceClass, ContainerSlotImage image, BundlePayload payload,
        ContainerBundleOptions options, string? sourceManifestDigest)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(deviceClass);
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(options);
        var version = container.Version ?? throw new ArgumentException($"container {container.Name} has no version", nameof(container));
        // Small chunks for MCUs (less RAM per verified chunk), larger for Linux-class devices.
        var chunkSize = options.ChunkSize ?? (deviceClass.IsMicrocontroller ? 4096u : 65536u);
        var header = new BundleHeader
        {
            ContainerName = container.Name,
            ContainerVersion = version.ToString(),
            SecurityCounter = options.SecurityCounter ?? SecurityCounter.DefaultFor(version),
            DeviceClass = deviceClass.Name,
            TargetTriple = image.TargetTriple,
            ArtifactKind = image.ArtifactKind,
            ImageFormat = image.ImageFormat,
            TargetDigest = Digest.Compute(image.Bytes.Span),
            TargetSize = (ulong)image.Bytes.Length,
            PayloadKind = payload.Kind,
            Codec = payload.Codec,
            BaseDigest = payload.BaseDigest,
            BaseSize = payload.BaseSize,
            PayloadLength = (ulong)payload.Bytes.Length,
            ChunkSize = chunkSize,
            ChunkHashes = BundleFrame.HashChunks(payload.Bytes.Span, chunkSize),
            ExpiresUnixSeconds = (ulong)options.Expires.ToUnixTimeSeconds(),
            CreatedUnixSeconds = (ulong)(options.Created ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
            SourceManifestDigest = sourceManifestDigest,
            Recovery = options.Recovery,
        };
        var errors = header.Validate();
        if (errors.Count > 0) throw new BundleFormatException(errors);
        return header;
    }
}
