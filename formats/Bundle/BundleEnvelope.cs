using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// A parsed, NOT yet verified bundle prefix: header, signatures and the exact bytes they sign.
/// Only <see cref="BundleVerifier"/> turns it into a <see cref="VerifiedBundle"/>. <see cref="Read"/> (the bootloader
/// and device agent: synchronous) and <see cref="ReadAsync"/> (the server, over HTTP) run the same
/// <see cref="BundleEnvelopeParser"/>, so both enforce the same limits and rules.
/// </summary>
public sealed record BundleEnvelope(BundleHeader Header, IReadOnlyList<BundleSignature> Signatures, byte[] SignedPrefix)
{
    /// <summary>Offset of the first payload byte from the start of the bundle.</summary>
    public long PayloadOffset { get; init; }

    /// <summary>Offset of payload chunk <paramref name="index"/> from the start of the bundle (a resume point for HTTP Range).</summary>
    public long ChunkOffset(int index) => PayloadOffset + (long)index * Header.ChunkSize;

    public bool Equals(BundleEnvelope? other) =>
        other is not null && Header.Equals(other.Header) && ValueEquality.Lists(Signatures, other.Signatures)
        && ValueEquality.Bytes(SignedPrefix, other.SignedPrefix) && PayloadOffset == other.PayloadOffset;

    public override int GetHashCode() => HashCode.Combine(Header, ValueEquality.ListHash(Signatures), PayloadOffset);

    /// <summary>Reads the frame, header and signature block from <paramref name="stream"/>, leaving it at the payload.</summary>
    /// <exception cref="BundleFormatException">The prefix is malformed, over a limit or truncated.</exception>
    public static BundleEnvelope Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var parser = new BundleEnvelopeParser();
        while (parser.Next() is { } buffer)
            parser.Accept(stream.ReadAtLeast(buffer.Span, buffer.Length, throwOnEndOfStream: false));
        return parser.Result;
    }

    /// <inheritdoc cref="Read"/>
    public static async Task<BundleEnvelope> ReadAsync(Stream stream, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var parser = new BundleEnvelopeParser();
        while (parser.Next() is { } buffer)
            parser.Accept(await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false));
        return parser.Result;
    }
}
