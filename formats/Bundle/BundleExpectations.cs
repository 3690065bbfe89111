using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>What the device knows and a bundle must agree with before anything is written.</summary>
/// <param name="DeviceClass">The device's own class, e.g. <c>mcu-cortex-m4</c>.</param>
/// <param name="Now">The device's notion of time (for expiry).</param>
/// <param name="MinimumSecurityCounter">The container's security counter on the device.</param>
/// <param name="SlotCapacity">Bytes available in the slot the target goes to.</param>
/// <param name="InstalledDigest">SHA-256 of the image the device runs now (needed for a delta), if any.</param>
public sealed record BundleExpectations(
    string DeviceClass,
    DateTimeOffset Now,
    ulong MinimumSecurityCounter,
    ulong SlotCapacity,
    Digest? InstalledDigest = null);
