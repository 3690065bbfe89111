using System.Security.Cryptography;

namespace AtymSecure.Bootloader.Crypto;

/// <summary>
/// The per-device secret that MACs state records (HMAC-SHA256), so a record claiming "this slot
/// was verified" cannot be forged or produced by flash noise. On hardware it lives in a key slot
/// the application cannot read; here it is 32 bytes held by the bootloader.
/// </summary>
public sealed class DeviceKey
{
    public const int Size = 32;
    private readonly byte[] _key;

    private DeviceKey(byte[] key) => _key = key;

    public static DeviceKey FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != Size) throw new ArgumentException($"a device key is {Size} bytes, got {key.Length}", nameof(key));
        return new DeviceKey(key.ToArray());
    }

    public static DeviceKey Generate() => new(RandomNumberGenerator.GetBytes(Size));

    /// <summary>HMAC-SHA256 of <paramref name="data"/> into <paramref name="destination"/> (32 bytes).</summary>
    public void Mac(ReadOnlySpan<byte> data, Span<byte> destination) => HMACSHA256.HashData(_key, data, destination);

    /// <summary>Constant-time check of a MAC.</summary>
    public bool VerifyMac(ReadOnlySpan<byte> data, ReadOnlySpan<byte> mac)
    {
        Span<byte> expected = stackalloc byte[32];
        Mac(data, expected);
        return CryptographicOperations.FixedTimeEquals(expected, mac);
    }
}
