using AtymSecure.Bootloader;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats.ContainerImage;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Permissions;

namespace AtymSecure.DeviceAgent.Trials;

/// <summary>
/// Turns the container image in a bootloader slot (docs/container-image-format.md) into a runnable
/// <see cref="ContainerSpec"/>. The slot is copied into RAM and hashed there: only bytes whose SHA-256
/// equals the MACed slot record (which holds the signed bundle's target digest) are parsed, and the code
/// handed to Wasmtime is a slice of that very copy — never a second read of the flash.
/// </summary>
public static class SlotImageLoader
{
    /// <exception cref="ArtifactVerificationException">The slot's bytes, its image or its code do not match what was signed.</exception>
    public static ContainerSpec Load(DeviceBootloader bootloader, string container, SlotId slot)
    {
        ArgumentNullException.ThrowIfNull(bootloader);
        var info = bootloader.State(container).Slot(slot);
        if (!info.Present) throw new ArtifactVerificationException($"slot {slot} of '{container}' holds no image");
        var reader = bootloader.OpenImage(container, slot);
        var bytes = new byte[reader.Length];
        reader.Read(0, bytes);
        var actual = Digest.Compute(bytes);
        if (actual != info.Digest)
            throw new ArtifactVerificationException($"slot {slot} of '{container}' reads as {actual}, its record says {info.Digest} (flash damaged since it was verified)");
        var spec = FromImage(bytes, container, bootloader.Options.DeviceClass);
        // The slot record's version came from the signed bundle header; the image must say the same.
        if (spec.Config.Version is null || spec.Config.Version != info.Version)
            throw new ArtifactVerificationException($"slot {slot} of '{container}' was installed as {info.Version}, but its image is version {spec.Version}");
        return spec;
    }

    /// <summary>Parses verified image bytes; the name and device class must be the ones expected.</summary>
    public static ContainerSpec FromImage(byte[] image, string container, string deviceClass)
    {
        ArgumentNullException.ThrowIfNull(image);
        ContainerImage parsed;
        try
        {
            parsed = ContainerImageReader.Read(image);
        }
        catch (ContainerImageFormatException e)
        {
            throw new ArtifactVerificationException($"the image of '{container}' is not a valid container image: {e.Message}", e);
        }
        var config = parsed.Config;
        if (config.Name != container)
            throw new ArtifactVerificationException($"the image in the slots of '{container}' is of container '{config.Name}'");
        var code = parsed.Code;
        if (code.DeviceClass is { } cls && cls != deviceClass)
            throw new ArtifactVerificationException($"the code of '{container}' was compiled for '{cls}', this device is '{deviceClass}'");
        var name = $"{config.Name}@{config.Version}";
        var artifact = VerifiedArtifact.Verify(parsed.SliceCode(image).Span,
            new ArtifactExpectation(name, code.Kind, code.Sha256, code.Length, code.DeviceClass, code.TargetTriple));
        var blobs = BlobSet.Verify(config.Blobs, r => parsed.FindBlob(r.Name) is null ? null : parsed.SliceBlob(image, r.Name).ToArray());
        return new ContainerSpec(config, artifact, new GrantedPermissions(parsed.Grants), blobs);
    }
}
