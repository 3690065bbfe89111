
namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// <c>POST /api/v1/devices/{id}/reports</c>: a <see cref="VersionReport"/>'s exact bytes (<see cref="Payload"/>,
/// base64url on the wire) and the device key's DER ECDSA signature over
/// <see cref="DeviceSigningInputs.Report"/>(device id, payload). Signing the bytes as sent (not a re-encoding) means
/// the server stores exactly what was signed and anyone can re-verify it later.
/// </summary>
public sealed record SignedVersionReport(byte[] Payload, byte[] Signature)
{
    public const int FormatVersion = 1;

    /// <summary>Base64url of a maximal payload plus the envelope.</summary>
    public const int MaxBytes = (VersionReport.MaxBytes * 4 / 3) + 1024;

    public byte[] ToJson() => ProtocolJson.Write(FormatVersion,
        ("payload", ProtocolJson.Base64Url(Payload)), ("signature", ProtocolJson.Base64Url(Signature)));

    public static SignedVersionReport Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion, ["payload", "signature"],
        f => new SignedVersionReport(ProtocolJson.Bytes(f, "payload", 2, VersionReport.MaxBytes),
            ProtocolJson.Bytes(f, "signature", 8, EnrollmentRequest.MaxSignatureBytes)));

    /// <summary>The signed report of <paramref name="report"/>, signed by <paramref name="sign"/> (the device's key).</summary>
    public static SignedVersionReport Create(VersionReport report, Func<byte[], byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(sign);
        var payload = report.ToJson();
        return new SignedVersionReport(payload, sign(DeviceSigningInputs.Report(report.DeviceId, payload)));
    }

    public bool Equals(SignedVersionReport? other) =>
        other is not null && Payload.AsSpan().SequenceEqual(other.Payload) && Signature.AsSpan().SequenceEqual(other.Signature);

    public override int GetHashCode() => HashCode.Combine(Payload.Length, Signature.Length);
}
