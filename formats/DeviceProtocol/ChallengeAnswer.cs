namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// <c>POST /api/v1/devices/{id}/challenge</c> answer: 32 random bytes, valid once, until <see cref="ExpiresAt"/>
/// (unix seconds, 60 s after issue). The device signs <see cref="DeviceSigningInputs.Challenge"/> over it.
/// </summary>
public sealed record ChallengeAnswer(byte[] Challenge, long ExpiresAt)
{
    public const int FormatVersion = 1;
    public const int MaxBytes = 1024;
    public const int ChallengeBytes = 32;

    public byte[] ToJson() => ProtocolJson.Write(FormatVersion, ("challenge", ProtocolJson.Base64Url(Challenge)), ("expiresAt", ExpiresAt));

    public static ChallengeAnswer Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion, ["challenge", "expiresAt"],
        f => new ChallengeAnswer(ProtocolJson.Bytes(f, "challenge", ChallengeBytes, ChallengeBytes), f.Integer("expiresAt", 0, UnixTime.Max)));

    public bool Equals(ChallengeAnswer? other) => other is not null && ExpiresAt == other.ExpiresAt && Challenge.AsSpan().SequenceEqual(other.Challenge);

    public override int GetHashCode() => HashCode.Combine(ExpiresAt, Challenge.Length);
}
