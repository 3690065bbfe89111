using AtymSecure.Bootloader.State;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Install;

/// <summary>Update metadata that every install source carries (already authenticated by its reader).</summary>
public sealed record InstallImageMetadata(
    string ContainerName,
    SemanticVersion Version,
    uint SecurityCounter,
    string DeviceClass,
    Digest TargetDigest,
    long TargetSize);

/// <summary>
/// A delta update given as a formats/Delta patch. Base digest and target size/digest come from
/// the patch header, which must agree with the (signed) metadata.
/// </summary>
public sealed class DeltaPatchImage : IInstallImage
{
    private readonly InstallImageMetadata _metadata;
    private readonly IRandomAccessSource _patch;

    public DeltaPatchImage(InstallImageMetadata metadata, IRandomAccessSource patch)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(patch);
        var header = DeltaPatchApplier.ReadHeader(patch);
        if (header.NewSize != metadata.TargetSize || header.NewSha256 != metadata.TargetDigest)
            throw new DeltaMismatchException($"patch produces {header.NewSize} bytes with another digest than the metadata's {metadata.TargetSize}-byte {metadata.TargetDigest}");
        _metadata = metadata;
        _patch = patch;
        BaseDigest = header.OldSha256;
        PatchHeader = header;
    }

    public DeltaPatchHeader PatchHeader { get; }

    public string ContainerName => _metadata.ContainerName;
    public SemanticVersion Version => _metadata.Version;
    public uint SecurityCounter => _metadata.SecurityCounter;
    public string DeviceClass => _metadata.DeviceClass;
    public Digest TargetDigest => _metadata.TargetDigest;
    public long TargetSize => _metadata.TargetSize;
    public PayloadKind Kind => PayloadKind.Delta;
    public Digest? BaseDigest { get; }

    public void WriteTarget(ISlotReader? baseImage, Stream output) =>
        DeltaPatchTarget.Write(_patch, baseImage ?? throw new InstallVerificationException(ReasonCodes.DeltaWithoutBase, "base", "a delta needs the confirmed image as its base"), output);
}
