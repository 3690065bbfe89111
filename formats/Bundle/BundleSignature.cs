using System.Buffers.Binary;
using System.Text;
using AtymSecure.Formats.Crypto;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>One signature over the bundle header, with the key id (base64 SHA-256 of the DER SPKI) as a hint.</summary>
public sealed record BundleSignature(SignatureAlgorithm Algorithm, string KeyId, byte[] Signature)
{
    private const int MaxKeyIdBytes = 64;
    private const int MaxSignatureBytes = 128;

    public bool Equals(BundleSignature? other) =>
        other is not null && Algorithm == other.Algorithm && KeyId == other.KeyId && ValueEquality.Bytes(Signature, other.Signature);

    public override int GetHashCode() => HashCode.Combine(Algorithm, KeyId, ValueEquality.BytesHash(Signature));

    /// <summary>count u8, then per signature: algorithm u8, key id length u8 + ASCII, signature length u16 + bytes.</summary>
    public static byte[] EncodeBlock(IReadOnlyList<BundleSignature> signatures)
    {
        if (signatures.Count is 0 or > BundleLayout.MaxSignatures)
            throw new ArgumentException($"a bundle carries 1..{BundleLayout.MaxSignatures} signatures", nameof(signatures));
        using var buffer = new MemoryStream();
        buffer.WriteByte((byte)signatures.Count);
        Span<byte> len = stackalloc byte[2];
        foreach (var s in signatures)
        {
            var keyId = Encoding.ASCII.GetBytes(s.KeyId);
            if (keyId.Length > MaxKeyIdBytes || s.Signature.Length > MaxSignatureBytes)
                throw new ArgumentException("key id or signature too long", nameof(signatures));
            buffer.WriteByte((byte)s.Algorithm);
            buffer.WriteByte((byte)keyId.Length);
            buffer.Write(keyId);
            BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)s.Signature.Length);
            buffer.Write(len);
            buffer.Write(s.Signature);
        }
        return buffer.ToArray();
    }

    public static IReadOnlyList<BundleSignature> DecodeBlock(ReadOnlySpan<byte> block)
    {
        if (block.Length > BundleLayout.MaxSignatureBlockBytes) throw new BundleFormatException("signatures", "signature block too large");
        if (block.IsEmpty) throw new BundleFormatException("signatures", "signature block is empty");
        var count = block[0];
        if (count is 0 or > BundleLayout.MaxSignatures) throw new BundleFormatException("signatures", $"signature count {count} outside 1..{BundleLayout.MaxSignatures}");
        var result = new List<BundleSignature>(count);
        var offset = 1;
        for (var i = 0; i < count; i++)
        {
            if (block.Length - offset < 2) throw new BundleFormatException("signatures", $"signature {i} is truncated");
            var algorithm = (SignatureAlgorithm)block[offset];
            if (!Enum.IsDefined(algorithm)) throw new BundleFormatException("signatures", $"signature {i}: unknown algorithm {block[offset]}");
            int keyIdLength = block[offset + 1];
            offset += 2;
            if (keyIdLength > MaxKeyIdBytes || block.Length - offset < keyIdLength + 2) throw new BundleFormatException("signatures", $"signature {i}: key id is truncated or too long");
            var keyId = Encoding.ASCII.GetString(block.Slice(offset, keyIdLength));
            offset += keyIdLength;
            int sigLength = BinaryPrimitives.ReadUInt16LittleEndian(block[offset..]);
            offset += 2;
            if (sigLength is 0 or > MaxSignatureBytes || block.Length - offset < sigLength) throw new BundleFormatException("signatures", $"signature {i}: signature is truncated or too long");
            result.Add(new BundleSignature(algorithm, keyId, block.Slice(offset, sigLength).ToArray()));
            offset += sigLength;
        }
        if (offset != block.Length) throw new BundleFormatException("signatures", $"{block.Length - offset} stray bytes after the signatures");
        return result;
    }
}
