using AtymSecure.Bootloader.Layout;

namespace AtymSecure.DeviceAgent.Status;

/// <summary>How one bundle's install ended (status.json names them <c>installed</c>, <c>refused</c>, <c>failed</c>).</summary>
public enum InstallResult
{
    /// <summary>Verified and written to the inactive slot as a pending trial.</summary>
    Installed,

    /// <summary>Not installed: not a bundle, not for this device, not trusted, or not what it claims; nothing changed.</summary>
    Refused,

    /// <summary>The write or its verification failed; the running version is untouched and the install can be repeated.</summary>
    Failed,
}

/// <summary>One install attempt: the bundle file, what it carried, how it ended and why.</summary>
public sealed record InstallStatus(DateTimeOffset At, string Bundle, string? Container, string? Version, InstallResult Result, SlotId? Slot, string Detail);
