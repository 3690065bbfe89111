using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.ContainerImage;

/// <summary>
/// Ties a container image to the signed bundle header that delivered it (docs/container-image-format.md#bundle-binding):
/// the header must say ImageFormat 1, its TargetDigest must be the image's SHA-256, and the header's container
/// name/version, ArtifactKind, TargetTriple and DeviceClass must agree with the image. Only then are the image's
/// grants the signed deployment's grants.
/// </summary>
public static class ContainerImageBundleBinding
{
    /// <summary>Every disagreement between <paramref name="header"/> and the image read from <paramref name="imageBytes"/>; empty when they match.</summary>
    public static IReadOnlyList<Problem> Check(ContainerImage image, ReadOnlySpan<byte> imageBytes, BundleHeader header)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(header);
        var problems = new List<Problem>();
        if (header.ImageFormat != ImageFormat.ContainerImageV1)
            problems.Add(ContainerImageFormatException.At("header.imageFormat", $"ImageFormat is {header.ImageFormat}, not ContainerImageV1"));
        if (Digest.Compute(imageBytes) != header.TargetDigest)
            problems.Add(ContainerImageFormatException.At("header.targetDigest", "TargetDigest is not the SHA-256 of this image"));
        if ((ulong)imageBytes.Length != header.TargetSize)
            problems.Add(ContainerImageFormatException.At("header.targetSize", $"TargetSize is {header.TargetSize}, the image is {imageBytes.Length} bytes"));
        if (header.ContainerName != image.Config.Name)
            problems.Add(ContainerImageFormatException.At("header.containerName", $"ContainerName '{header.ContainerName}' but the image's config is '{image.Config.Name}'"));
        if (header.ContainerVersion != image.Config.Version?.ToString())
            problems.Add(ContainerImageFormatException.At("header.containerVersion", $"ContainerVersion '{header.ContainerVersion}' but the image's config is '{image.Config.Version}'"));
        if (header.ArtifactKind != image.Code.Kind)
            problems.Add(ContainerImageFormatException.At("header.artifactKind", $"ArtifactKind {header.ArtifactKind} but the image's code is {image.Code.Kind}"));
        if (image.Code.TargetTriple is { } triple && triple != header.TargetTriple)
            problems.Add(ContainerImageFormatException.At("header.targetTriple", $"TargetTriple '{header.TargetTriple}' but the image's code is for '{triple}'"));
        if (image.Code.DeviceClass is { } deviceClass && deviceClass != header.DeviceClass)
            problems.Add(ContainerImageFormatException.At("header.deviceClass", $"DeviceClass '{header.DeviceClass}' but the image's code is for '{deviceClass}'"));
        return problems;
    }

    /// <summary>Throws <see cref="ContainerImageFormatException"/> listing every disagreement of <see cref="Check"/>.</summary>
    public static void Ensure(ContainerImage image, ReadOnlySpan<byte> imageBytes, BundleHeader header)
    {
        var problems = Check(image, imageBytes, header);
        if (problems.Count > 0) throw new ContainerImageFormatException(problems);
    }
}
