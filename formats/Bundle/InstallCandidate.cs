using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// What the device-fit checks (<see cref="DeviceFitChecks"/>) look at in an update, whatever carried it: a bundle
/// header (<see cref="Of"/>) or another install image the bootloader is given.
/// </summary>
/// <param name="DeviceClass">The device class the update was built for.</param>
/// <param name="SecurityCounter">Its security counter.</param>
/// <param name="TargetSize">Bytes of the image as it must end up in the slot.</param>
/// <param name="Kind">Full image or delta.</param>
/// <param name="BaseDigest">For a delta: SHA-256 of the image it applies to.</param>
public sealed record InstallCandidate(string DeviceClass, ulong SecurityCounter, ulong TargetSize, PayloadKind Kind, Digest? BaseDigest)
{
    public static InstallCandidate Of(BundleHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new(header.DeviceClass, header.SecurityCounter, header.TargetSize, header.PayloadKind, header.BaseDigest);
    }
}
