namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// <c>POST /api/v1/devices/{id}/key</c> (with a session): replace the device's identity key. Signed by the old key
/// (authority: only the current key holder may hand the identity on) and by the new key (possession: nobody can
/// rotate to a key they do not hold), both over <see cref="DeviceSigningInputs.KeyRotation"/>(id, old SPKI, new SPKI).
/// The device keeps its id; the server bumps the device's epoch, so every session of the old key ends at once.
/// </summary>
public sealed record KeyRotationRequest(byte[] NewPublicKey, byte[] OldKeySignature, byte[] NewKeySignature)
{
    public const int FormatVersion = 1;
    public const int MaxBytes = 2048;

    public byte[] ToJson() => ProtocolJson.Write(FormatVersion,
        ("newPublicKey", ProtocolJson.Base64Url(NewPublicKey)),
        ("oldKeySignature", ProtocolJson.Base64Url(OldKeySignature)),
        ("newKeySignature", ProtocolJson.Base64Url(NewKeySignature)));

    public static KeyRotationRequest Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion,
        ["newPublicKey", "oldKeySignature", "newKeySignature"], f => new KeyRotationRequest(
            ProtocolJson.Bytes(f, "newPublicKey", 1, DeviceKey.MaxSpkiBytes),
            ProtocolJson.Bytes(f, "oldKeySignature", 8, EnrollmentRequest.MaxSignatureBytes),
            ProtocolJson.Bytes(f, "newKeySignature", 8, EnrollmentRequest.MaxSignatureBytes)));

    public bool Equals(KeyRotationRequest? other) => other is not null && ToJson().AsSpan().SequenceEqual(other.ToJson());

    public override int GetHashCode() => HashCode.Combine(NewPublicKey.Length, OldKeySignature.Length);
}
