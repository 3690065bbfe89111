
namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>The answer to a stored report (200): the nonce the server now acknowledges, which the next director targets echo.</summary>
public sealed record ReportAnswer(string AcknowledgedNonce)
{
    public const int FormatVersion = 1;
    public const int MaxBytes = 1024;

    public byte[] ToJson() => ProtocolJson.Write(FormatVersion, ("acknowledgedNonce", AcknowledgedNonce));

    public static ReportAnswer Parse(ReadOnlySpan<byte> json) => ProtocolJson.Read(json, MaxBytes, FormatVersion, ["acknowledgedNonce"],
        f => new ReportAnswer(ProtocolJson.Text(f, "acknowledgedNonce", ProtocolJson.NonceGrammar(), "a nonce")));
}
