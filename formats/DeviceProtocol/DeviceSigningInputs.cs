using System.Text;

namespace AtymSecure.Formats.DeviceProtocol;

/// <summary>
/// The exact bytes a device signs with its identity key (docs/device-protocol.md, "Signatures"). Each starts with its
/// own NUL-terminated context string, so a signature made for one purpose never verifies for another, and binds the
/// device id (a signature for one device is useless for another). Variable-length fields are length-prefixed
/// (u16 big-endian), so no two field lists give the same bytes.
/// </summary>
public static class DeviceSigningInputs
{
    public const string AuthContext = "atym-device-auth-v1";
    public const string EnrollContext = "atym-device-enroll-v1";
    public const string ReportContext = "atym-device-report-v1";
    public const string KeyRotationContext = "atym-device-key-rotation-v1";

    /// <summary>
    /// <c>atym-device-auth-v1\0 ‖ challenge ‖ device id ‖ server origin</c> (trust-model §8). The origin
    /// (<c>https://ota.example:8443</c>, lower-case scheme and host, port always written) is the server the device
    /// meant to talk to: a relay that passes a real challenge on gets a signature for its own origin, which the real
    /// server refuses.
    /// </summary>
    public static byte[] Challenge(ReadOnlySpan<byte> challenge, string deviceId, string serverOrigin) =>
        Build(AuthContext, challenge.ToArray(), Encoding.UTF8.GetBytes(deviceId), Encoding.UTF8.GetBytes(serverOrigin));

    /// <summary><c>atym-device-enroll-v1\0 ‖ device id ‖ canonical JSON of the request without its signature</c>: proof that the
    /// enrolling party holds the key, over everything it claims (class, flash, partition table).</summary>
    public static byte[] Enrollment(string deviceId, ReadOnlySpan<byte> unsignedRequest) =>
        Build(EnrollContext, Encoding.UTF8.GetBytes(deviceId), unsignedRequest.ToArray());

    /// <summary><c>atym-device-report-v1\0 ‖ device id ‖ report payload bytes</c> (the payload exactly as sent, base64url-decoded).</summary>
    public static byte[] Report(string deviceId, ReadOnlySpan<byte> payload) =>
        Build(ReportContext, Encoding.UTF8.GetBytes(deviceId), payload.ToArray());

    /// <summary><c>atym-device-key-rotation-v1\0 ‖ device id ‖ old SPKI ‖ new SPKI</c>, signed by the old key (authority) and the new key (possession).</summary>
    public static byte[] KeyRotation(string deviceId, ReadOnlySpan<byte> oldSpki, ReadOnlySpan<byte> newSpki) =>
        Build(KeyRotationContext, Encoding.UTF8.GetBytes(deviceId), oldSpki.ToArray(), newSpki.ToArray());

    /// <summary>The origin form both sides sign: scheme://host:port, lower case, port always present.</summary>
    public static string Origin(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return $"{server.Scheme.ToLowerInvariant()}://{server.IdnHost.ToLowerInvariant()}:{server.Port}";
    }

    private static byte[] Build(string context, params byte[][] fields)
    {
        var output = new List<byte>(256);
        output.AddRange(Encoding.ASCII.GetBytes(context));
        output.Add(0);
        foreach (var field in fields)
        {
            if (field.Length > ushort.MaxValue) throw new ArgumentException($"signed field of {field.Length} bytes, at most {ushort.MaxValue}");
            output.Add((byte)(field.Length >> 8));
            output.Add((byte)field.Length);
            output.AddRange(field);
        }
        return [.. output];
    }
}
