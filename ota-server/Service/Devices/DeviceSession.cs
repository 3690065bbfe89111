using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace AtymSecure.OtaServer.Devices;

/// <summary>What a valid session token says: which device, which key, until when, under which epoch.</summary>
public sealed record DeviceSession(string DeviceId, string KeyFingerprint, long ExpiresAt, long Epoch);

/// <summary>
/// Issues and checks device session tokens (trust model §8): <c>atym-session-v1.PAYLOAD.MAC</c>, PAYLOAD the base64url of
/// (u16 length + device id, u16 length + key fingerprint, i64 expiry, i64 epoch), MAC the base64url HMAC-SHA256 of
/// the prefix and payload under <see cref="SessionKey"/>. Checking one is an HMAC and a comparison in constant time:
/// no signature verify and no database read, so the poll path stays cheap. The epoch is compared by the caller with
/// the device's current one (<see cref="DeviceStates"/>).
/// </summary>
public sealed class DeviceSessionTokens(SessionKey key)
{
    public const string Prefix = "atym-session-v1.";
    public const int MaxTokenLength = 512;

    public string Issue(DeviceSession session)
    {
        ArgumentNullException.ThrowIfNull(session);
        var payload = Encode(session);
        var text = Prefix + System.Buffers.Text.Base64Url.EncodeToString(payload);
        return text + "." + System.Buffers.Text.Base64Url.EncodeToString(Mac(text));
    }

    /// <summary>The session a token names when its MAC is ours; null for anything else (never throws on hostile input).</summary>
    public DeviceSession? Read(string? token)
    {
        if (token is null || token.Length > MaxTokenLength || !token.StartsWith(Prefix, StringComparison.Ordinal)) return null;
        var dot = token.LastIndexOf('.');
        if (dot <= Prefix.Length) return null;
        byte[] mac, payload;
        try
        {
            mac = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
            payload = System.Buffers.Text.Base64Url.DecodeFromChars(token.AsSpan(Prefix.Length, dot - Prefix.Length));
        }
        catch (FormatException)
        {
            return null;
        }
        if (!CryptographicOperations.FixedTimeEquals(mac, Mac(token[..dot]))) return null;
        return Decode(payload);
    }

    private byte[] Mac(string signedText) => HMACSHA256.HashData(key.Key, Encoding.ASCII.GetBytes(signedText));

    private static byte[] Encode(DeviceSession s)
    {
        var id = Encoding.UTF8.GetBytes(s.DeviceId);
        var fingerprint = Encoding.ASCII.GetBytes(s.KeyFingerprint);
        var output = new byte[2 + id.Length + 2 + fingerprint.Length + 16];
        var at = 0;
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(at), (ushort)id.Length);
        id.CopyTo(output, at += 2);
        BinaryPrimitives.WriteUInt16BigEndian(output.AsSpan(at += id.Length), (ushort)fingerprint.Length);
        fingerprint.CopyTo(output, at += 2);
        BinaryPrimitives.WriteInt64BigEndian(output.AsSpan(at += fingerprint.Length), s.ExpiresAt);
        BinaryPrimitives.WriteInt64BigEndian(output.AsSpan(at + 8), s.Epoch);
        return output;
    }

    // Only our own MAC'd payloads reach here, but stay total anyway.
    private static DeviceSession? Decode(byte[] p)
    {
        if (p.Length < 2) return null;
        var idLength = BinaryPrimitives.ReadUInt16BigEndian(p);
        if (p.Length < 2 + idLength + 2) return null;
        var fpLength = BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(2 + idLength));
        if (p.Length != 2 + idLength + 2 + fpLength + 16) return null;
        var at = 4 + idLength + fpLength;
        return new DeviceSession(Encoding.UTF8.GetString(p, 2, idLength), Encoding.ASCII.GetString(p, 4 + idLength, fpLength),
            BinaryPrimitives.ReadInt64BigEndian(p.AsSpan(at)), BinaryPrimitives.ReadInt64BigEndian(p.AsSpan(at + 8)));
    }
}
