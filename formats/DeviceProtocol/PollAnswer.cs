namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// <c>GET /api/v1/devices/{id}/poll</c> answer (200; 304 without a body when <c>If-None-Match</c> matches its ETag).
/// <see cref="PollIntervalSeconds"/> is how long the device waits before its next poll (the server slows the fleet
/// down by raising it). <see cref="DirectorTargets"/> is the device's signed director targets file, byte for byte as
/// the director signed it (absent while the director has nothing for this device); the device verifies it (trust
/// model §3 step 2) — the poll answer itself is not signed and is trusted for nothing but the interval.
/// <see cref="AcknowledgedNonce"/> is the nonce of the last version report the server stored.
/// </summary>
public sealed record PollAnswer(long PollIntervalSeconds, byte[]? DirectorTargets, string? AcknowledgedNonce)
{
    public const int FormatVersion = 1;

    /// <summary>Director targets are at most 64 KiB (step 2); base64url makes them 4/3 larger.</summary>
    public const int MaxDirectorTargetsBytes = 64 * 1024;

    public const int MaxBytes = 96 * 1024;
    public const long MinPollIntervalSeconds = 1;
    public const long MaxPollIntervalSeconds = 86_400;

    public byte[] ToJson() => ProtocolJson.Write(FormatVersion,
        ("pollIntervalSeconds", PollIntervalSeconds),
        ("directorTargets", ProtocolJson.Optional(DirectorTargets is null ? null : ProtocolJson.Base64Url(DirectorTargets))),
        ("acknowledgedNonce", ProtocolJson.Optional(AcknowledgedNonce)));

    public static PollAnswer Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion,
        ["pollIntervalSeconds", "directorTargets", "acknowledgedNonce"], f => new PollAnswer(
            f.Integer("pollIntervalSeconds", MinPollIntervalSeconds, MaxPollIntervalSeconds),
            f.Has("directorTargets") ? ProtocolJson.Bytes(f, "directorTargets", 2, MaxDirectorTargetsBytes) : null,
            f.Has("acknowledgedNonce") ? ProtocolJson.Text(f, "acknowledgedNonce", ProtocolJson.NonceGrammar(), "a nonce") : null));

    public bool Equals(PollAnswer? other) => other is not null && ToJson().AsSpan().SequenceEqual(other.ToJson());

    public override int GetHashCode() => HashCode.Combine(PollIntervalSeconds, AcknowledgedNonce, DirectorTargets?.Length);
}
