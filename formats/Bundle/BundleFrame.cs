using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Lays bytes out in the bundle frame (see <see cref="BundleLayout"/>). Pure layout, no keys: the
/// server signs <see cref="SignatureInput"/> with its own keys, then calls <see cref="WriteAsync"/>.
/// </summary>
public static class BundleFrame
{
    /// <summary>Frame prefix + canonical header TLVs: the bytes the signatures cover.</summary>
    public static byte[] EncodeSignedPrefix(BundleHeader header)
    {
        var tlvs = BundleHeaderCodec.Encode(header);
        if (tlvs.Length > BundleLayout.MaxHeaderBytes) throw new BundleFormatException("header", $"header is {tlvs.Length} bytes, limit {BundleLayout.MaxHeaderBytes}");
        var prefix = new byte[BundleLayout.PrefixBytes + tlvs.Length];
        BundleLayout.Magic.CopyTo(prefix);
        BinaryPrimitives.WriteUInt16LittleEndian(prefix.AsSpan(8), header.FormatVersion);
        BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(12), (uint)tlvs.Length);
        tlvs.CopyTo(prefix, BundleLayout.PrefixBytes);
        return prefix;
    }

    /// <summary>What a signer signs for this header (domain separator + signed prefix).</summary>
    public static byte[] SignatureInput(BundleHeader header) => BundleLayout.SignatureInput(EncodeSignedPrefix(header));

    /// <summary>SHA-256 of each <paramref name="chunkSize"/>-byte chunk of <paramref name="payload"/>.</summary>
    public static IReadOnlyList<byte[]> HashChunks(ReadOnlySpan<byte> payload, uint chunkSize)
    {
        var count = BundleHeader.ExpectedChunkCount((ulong)payload.Length, chunkSize);
        var hashes = new byte[count][];
        for (var i = 0; i < count; i++)
        {
            var start = i * (int)chunkSize;
            hashes[i] = SHA256.HashData(payload.Slice(start, Math.Min((int)chunkSize, payload.Length - start)));
        }
        return hashes;
    }

    public static async Task WriteAsync(Stream output, BundleHeader header, IReadOnlyList<BundleSignature> signatures,
        ReadOnlyMemory<byte> payload, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        if ((ulong)payload.Length != header.PayloadLength) throw new ArgumentException("payload length differs from the header", nameof(payload));
        var prefix = EncodeSignedPrefix(header);
        var block = BundleSignature.EncodeBlock(signatures);
        var length = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)block.Length);
        await output.WriteAsync(prefix, ct).ConfigureAwait(false);
        await output.WriteAsync(length, ct).ConfigureAwait(false);
        await output.WriteAsync(block, ct).ConfigureAwait(false);
        await output.WriteAsync(payload, ct).ConfigureAwait(false);
    }
}
