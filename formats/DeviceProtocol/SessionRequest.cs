namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// <c>POST /api/v1/devices/{id}/session</c>: the challenge the server issued and the device's DER ECDSA signature over
/// <see cref="DeviceSigningInputs.Challenge"/>(challenge, device id, server origin). Answered by <see cref="SessionAnswer"/>.
/// </summary>
public sealed record SessionRequest(byte[] Challenge, byte[] Signature)
{
    public const int FormatVersion = 1;
    public const int MaxBytes = 1024;

    public byte[] ToJson() => ProtocolJson.Write(FormatVersion,
        ("challenge", ProtocolJson.Base64Url(Challenge)), ("signature", ProtocolJson.Base64Url(Signature)));

    public static SessionRequest Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion, ["challenge", "signature"],
        f => new SessionRequest(ProtocolJson.Bytes(f, "challenge", ChallengeAnswer.ChallengeBytes, ChallengeAnswer.ChallengeBytes),
            ProtocolJson.Bytes(f, "signature", 8, EnrollmentRequest.MaxSignatureBytes)));

    public bool Equals(SessionRequest? other) =>
        other is not null && Challenge.AsSpan().SequenceEqual(other.Challenge) && Signature.AsSpan().SequenceEqual(other.Signature);

    public override int GetHashCode() => HashCode.Combine(Challenge.Length, Signature.Length);
}
