using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.ContainerImage;

/// <summary>
/// A parsed, fully validated container image v1 (docs/container-image-format.md): what one bootloader
/// slot holds for one container version — the config, the grants of the signed deployment, the compiled
/// code and the blobs. Offsets refer to the image bytes it was read from; slice them with
/// <see cref="SliceCode"/> / <see cref="SliceBlob"/>.
/// </summary>
public sealed record ContainerImage(
    ContainerConfig Config,
    IReadOnlyList<Capability> Grants,
    ContainerImageSection Code,
    IReadOnlyList<ContainerImageBlob> Blobs)
{
    /// <summary>Whether the signed deployment grants <paramref name="capability"/> (grants ⊆ config permissions).</summary>
    public bool IsGranted(Capability capability) => Grants.Contains(capability);

    public bool Equals(ContainerImage? other) =>
        other is not null && Config.Equals(other.Config) && ValueEquality.Lists(Grants, other.Grants) && Code == other.Code
        && ValueEquality.Lists(Blobs, other.Blobs);

    public override int GetHashCode() => HashCode.Combine(Config, ValueEquality.ListHash(Grants), Code, ValueEquality.ListHash(Blobs));

    public ContainerImageBlob? FindBlob(string name) => Blobs.FirstOrDefault(b => b.Name == name);

    /// <summary>The code section of <paramref name="image"/> (the bytes this record was read from).</summary>
    public ReadOnlyMemory<byte> SliceCode(ReadOnlyMemory<byte> image) => Slice(image, Code.Offset, Code.Length, "code");

    /// <summary>The bytes of blob <paramref name="name"/>; <see cref="KeyNotFoundException"/> when the image has no such blob.</summary>
    public ReadOnlyMemory<byte> SliceBlob(ReadOnlyMemory<byte> image, string name)
    {
        var blob = FindBlob(name) ?? throw new KeyNotFoundException($"the container image has no blob '{name}' (has: {string.Join(", ", Blobs.Select(b => b.Name))})");
        return Slice(image, blob.Offset, blob.Length, $"blob '{name}'");
    }

    private static ReadOnlyMemory<byte> Slice(ReadOnlyMemory<byte> image, long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset + length > image.Length)
            throw new ArgumentException($"{what} at {offset}+{length} lies outside the {image.Length} given bytes: pass the bytes the image was read from", nameof(image));
        return image.Slice((int)offset, (int)length);
    }
}

/// <summary>The code section: what the runtime loads. <see cref="Sha256"/> is 64 lowercase hex digits.</summary>
public sealed record ContainerImageSection(
    ArtifactKind Kind,
    string? DeviceClass,
    string? TargetTriple,
    long Offset,
    long Length,
    string Sha256);

/// <summary>One named blob section (e.g. an ML model); <see cref="Sha256"/> is 64 lowercase hex digits.</summary>
public sealed record ContainerImageBlob(string Name, long Offset, long Length, string Sha256)
{
    /// <summary>The OCI-style digest the config uses for this blob, <c>sha256:&lt;hex&gt;</c>.</summary>
    public string Digest => "sha256:" + Sha256;
}
