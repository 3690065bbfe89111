namespace AtymSecure.OtaStore;

/// <summary>
/// An admin's settings for one device group (issue 14 §1, a per-group poll interval with jitter): what the poll answer
/// tells the group's devices to wait, spread by a deterministic per-device jitter of at most ±<paramref name="PollJitterPercent"/>
/// so a group does not poll in lockstep (ota-server/Service, PollIntervals).
/// </summary>
/// <param name="PollIntervalSeconds">The interval before jitter, within the protocol's 1 s..1 d.</param>
/// <param name="PollJitterPercent">0..50: each device's interval is this share above or below, fixed per device.</param>
public sealed record GroupSettings(string Group, long PollIntervalSeconds, int PollJitterPercent, DateTimeOffset UpdatedAt, string UpdatedBy);
