using AtymSecure.Formats.Container;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// The default anti-rollback counter of a version, shared by the bundle writer and its tests. Devices
/// record the counter in 32 bits (the bootloader's state record), so the default packs
/// <c>major·2^24 + minor·2^16 + patch</c>: it grows with SemVer order and always fits. Versions past
/// 255.255.65535 need an explicit counter.
/// </summary>
public static class SecurityCounter
{
    public const ulong DeviceMaximum = uint.MaxValue;

    /// <exception cref="ArgumentOutOfRangeException">A version part too large to pack; pass a counter explicitly.</exception>
    public static ulong DefaultFor(SemanticVersion version)
    {
        ArgumentNullException.ThrowIfNull(version);
        if (version.Major > 255 || version.Minor > 255 || version.Patch > 65535)
            throw new ArgumentOutOfRangeException(nameof(version), version.ToString(),
                "the default security counter packs major ≤ 255, minor ≤ 255, patch ≤ 65535 into the device's 32 bits; give the counter explicitly");
        return ((ulong)version.Major << 24) + ((ulong)version.Minor << 16) + version.Patch;
    }
}
