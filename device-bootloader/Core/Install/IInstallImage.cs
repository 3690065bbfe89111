using AtymSecure.Primitives;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Bundle;

namespace AtymSecure.Bootloader.Install;

/// <summary>Random-access, read-only view of a slot (the delta base: the confirmed image).</summary>
public interface ISlotReader
{
    long Length { get; }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; the range lies within Length.</summary>
    void Read(long offset, Span<byte> destination);
}

/// <summary>
/// What the installer needs from an update, whatever its container format (the bundle reader in
/// formats/Bundle implements it; tests have their own). Metadata is already parsed; the target
/// bytes are produced on demand, front to back.
/// </summary>
public interface IInstallImage
{
    string ContainerName { get; }
    SemanticVersion Version { get; }

    /// <summary>Security counter of the image; below the device's floor it is refused.</summary>
    uint SecurityCounter { get; }

    /// <summary>Device class the image was built for (must equal the device's).</summary>
    string DeviceClass { get; }

    /// <summary>SHA-256 and size of the image as it must end up in the slot.</summary>
    Digest TargetDigest { get; }
    long TargetSize { get; }

    /// <summary>Whether the image carries the whole target or a delta against the confirmed image.</summary>
    PayloadKind Kind { get; }

    /// <summary>For a delta: the SHA-256 of the image it applies to (the confirmed image).</summary>
    Digest? BaseDigest { get; }

    /// <summary>
    /// A recovery image (docs/trust-model.md §4): the one install a device in recovery accepts, and refused on a device
    /// that is not in recovery. The image's <see cref="IInstallPreCheck"/> must vouch for it (a bundle: signed by a recovery
    /// key, §3 step 13); images of other kinds are never recovery images.
    /// </summary>
    bool Recovery => false;

    /// <summary>
    /// Writes the target image to <paramref name="output"/> sequentially. For a delta,
    /// <paramref name="baseImage"/> reads the confirmed slot by random access; for a full image it is null.
    /// </summary>
    void WriteTarget(ISlotReader? baseImage, Stream output);
}
