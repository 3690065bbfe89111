
namespace AtymSecure.OtaStore;

/// <summary>
/// A version report as received: the signed envelope's payload and signature (base64url, exactly as signed, so it can
/// be re-verified later), its nonce, and when it arrived. <see cref="Sequence"/> orders a device's reports.
/// </summary>
public sealed record DeviceReport(string DeviceId, long Sequence, string Nonce, DateTimeOffset ReceivedAt, string Payload, string Signature);
