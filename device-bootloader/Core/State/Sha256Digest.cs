using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AtymSecure.Bootloader.State;

/// <summary>A SHA-256 value with value equality (stored big-endian as two 128-bit halves).</summary>
public readonly record struct Sha256Digest(UInt128 High, UInt128 Low)
{
    public const int Size = 32;

    public static Sha256Digest FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Size) throw new ArgumentException($"a SHA-256 digest is {Size} bytes, got {bytes.Length}", nameof(bytes));
        return new(BinaryPrimitives.ReadUInt128BigEndian(bytes), BinaryPrimitives.ReadUInt128BigEndian(bytes[16..]));
    }

    public static Sha256Digest Of(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Size];
        SHA256.HashData(data, hash);
        return FromBytes(hash);
    }

    /// <summary>Parses 64 hex digits, optionally prefixed with "sha256:".</summary>
    public static Sha256Digest Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var hex = text.StartsWith("sha256:", StringComparison.Ordinal) ? text[7..] : text;
        if (hex.Length != 2 * Size) throw new FormatException($"a SHA-256 digest has {2 * Size} hex digits, got {hex.Length}");
        return FromBytes(Convert.FromHexString(hex));
    }

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt128BigEndian(destination, High);
        BinaryPrimitives.WriteUInt128BigEndian(destination[16..], Low);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    public override string ToString() => "sha256:" + Convert.ToHexStringLower(ToArray());
}
