using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Trust;

/// <summary>
/// Everything a production device trusts between update cycles (docs/trust-model.md §4): the verifier's
/// <see cref="TrustedState"/> (both roots, timestamp, snapshot, director targets, time floor), the nonces a director
/// answer may echo, and the last offline director version (§6: its own sequence). Persisted as one unit by
/// <see cref="TrustStore"/>, so a power cut leaves the old unit or the new one.
/// </summary>
public sealed record StoredTrust(TrustedState Metadata, ReportNonces Nonces, long OfflineDirectorVersion = 0)
{
    public static StoredTrust Provisioned(TrustedState metadata) => new(metadata, ReportNonces.None);
}

/// <summary>
/// The nonces of the version reports the director may answer (docs/trust-model.md §11.13): the last one the server
/// acknowledged and at most one in flight. A lost acknowledgement costs one more report, never a stuck device.
/// </summary>
public sealed record ReportNonces(string? Acknowledged, string? InFlight)
{
    public static readonly ReportNonces None = new(null, null);

    /// <summary>What the verifier's <see cref="DeviceContext.AcceptedNonces"/> holds.</summary>
    public EquatableList<string> Accepted => new(new[] { Acknowledged, InFlight }.OfType<string>().Distinct(StringComparer.Ordinal));

    /// <summary>A new report goes out with <paramref name="nonce"/>; an older unacknowledged one is forgotten.</summary>
    public ReportNonces Sent(string nonce) => this with { InFlight = nonce };

    /// <summary>The server acknowledged the report that carried <paramref name="nonce"/>.</summary>
    public ReportNonces AcknowledgedNow(string nonce) => new(nonce, InFlight == nonce ? null : InFlight);
}
