namespace AtymSecure.Formats.Bundle;

/// <summary>
/// The fixed frame of a bundle file (docs/bundle-format.md#layout), all integers little-endian:
/// <code>
/// 0   magic "ATYMBNDL"          8
/// 8   format version u16 (1, 2) 2
/// 10  reserved u16 (= 0)        2
/// 12  header length u32 (H)     4
/// 16  header TLVs               H
/// 16+H signature block length u32 (S), then S bytes of signatures
/// 20+H+S payload, in chunks of header.ChunkSize
/// </code>
/// Signatures cover <see cref="SignatureDomain"/> followed by bytes 0 .. 16+H (frame and header);
/// the header carries a SHA-256 per payload chunk, so the payload is covered chunk by chunk.
/// Format 2 is format 1 plus the Recovery header tag; a header is written in the lowest version that holds it
/// (<see cref="BundleHeader.FormatVersion"/>) and a reader refuses a frame whose version differs from its header's.
/// </summary>
public static class BundleLayout
{
    public static ReadOnlySpan<byte> Magic => "ATYMBNDL"u8;
    /// <summary>Every bundle that is not a recovery bundle.</summary>
    public const ushort FirstFormatVersion = 1;

    /// <summary>Format 1 plus the Recovery tag (docs/bundle-format.md#format-versions).</summary>
    public const ushort RecoveryFormatVersion = 2;

    /// <summary>The newest format this reader knows.</summary>
    public const ushort LatestFormatVersion = RecoveryFormatVersion;
    public const int PrefixBytes = 16;
    public const int MaxHeaderBytes = 4 * 1024 * 1024;
    public const int MaxSignatureBlockBytes = 4096;
    public const int MaxSignatures = 4;

    /// <summary>Domain separation so a bundle signature can never be replayed as another kind of signature.</summary>
    public static ReadOnlySpan<byte> SignatureDomain => "atym-bundle-v1\0"u8;

    public static byte[] SignatureInput(ReadOnlySpan<byte> signedPrefix)
    {
        var input = new byte[SignatureDomain.Length + signedPrefix.Length];
        SignatureDomain.CopyTo(input);
        signedPrefix.CopyTo(input.AsSpan(SignatureDomain.Length));
        return input;
    }
}
