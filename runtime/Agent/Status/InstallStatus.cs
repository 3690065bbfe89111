using System.Text.Json.Serialization;
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
public sealed record InstallStatus(DateTimeOffset At, string Bundle, string? Container, string? Version, InstallResult Result, SlotId? Slot, string Detail)
{
    /// <summary>
    /// Which take of a staged file these lines are about: the running agent numbers every file it takes from its update
    /// source (1, 2, … one above the highest in the history), and every line of one file carries the same number. Two drops
    /// under one name — the same <c>.swu</c> installed again, as a retried action is served the one cut for it, writes the
    /// same <c>inbox/STAMP-atym-export-SHA12.tar</c> — are told apart by it (<see cref="Updates.InstallAwaiter"/>). Null in
    /// lines written before it existed and in lines of an install run directly (<c>atym device install</c> on a stopped
    /// device); then not written (an addition within format 3).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Take { get; init; }
}
