using System.Buffers.Binary;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// A parsed, NOT yet verified bundle prefix: header, signatures and the exact bytes they sign.
/// Only <see cref="BundleVerifier"/> turns it into a <see cref="VerifiedBundle"/>.
/// </summary>
public sealed record BundleEnvelope(BundleHeader Header, IReadOnlyList<BundleSignature> Signatures, byte[] SignedPrefix)
{
    /// <summary>Offset of the first payload byte from the start of the bundle.</summary>
    public long PayloadOffset { get; init; }

    /// <summary>Reads the frame, header and signature block from <paramref name="stream"/>, leaving it at the payload.</summary>
    public static async Task<BundleEnvelope> ReadAsync(Stream stream, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = new byte[BundleLayout.PrefixBytes];
        await ReadExactAsync(stream, prefix, "frame", ct).ConfigureAwait(false);
        if (!prefix.AsSpan(0, 8).SequenceEqual(BundleLayout.Magic)) throw new BundleFormatException("not an AtymSecure bundle (bad magic)");
        var version = BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8));
        if (version != BundleLayout.FormatVersion) throw new BundleFormatException($"bundle format version {version} is not supported (this reader knows {BundleLayout.FormatVersion})");
        if (BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(10)) != 0) throw new BundleFormatException("reserved frame bytes are not zero");
        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(12));
        if (headerLength == 0 || headerLength > BundleLayout.MaxHeaderBytes)
            throw new BundleFormatException($"header length {headerLength} outside 1..{BundleLayout.MaxHeaderBytes}");

        var signed = new byte[BundleLayout.PrefixBytes + headerLength];
        prefix.CopyTo(signed, 0);
        await ReadExactAsync(stream, signed.AsMemory(BundleLayout.PrefixBytes), "header", ct).ConfigureAwait(false);
        var header = BundleHeaderCodec.Decode(signed.AsSpan(BundleLayout.PrefixBytes));

        var lengthBytes = new byte[4];
        await ReadExactAsync(stream, lengthBytes, "signature block length", ct).ConfigureAwait(false);
        var signatureLength = BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (signatureLength == 0 || signatureLength > BundleLayout.MaxSignatureBlockBytes)
            throw new BundleFormatException($"signature block length {signatureLength} outside 1..{BundleLayout.MaxSignatureBlockBytes}");
        var block = new byte[signatureLength];
        await ReadExactAsync(stream, block, "signature block", ct).ConfigureAwait(false);
        var signatures = BundleSignature.DecodeBlock(block);
        return new BundleEnvelope(header, signatures, signed) { PayloadOffset = signed.Length + 4 + signatureLength };
    }

    internal static async Task ReadExactAsync(Stream stream, Memory<byte> buffer, string what, CancellationToken ct)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[read..], ct).ConfigureAwait(false);
            if (n == 0) throw new BundleFormatException($"bundle is truncated in the {what} ({read} of {buffer.Length} bytes)");
            read += n;
        }
    }
}
