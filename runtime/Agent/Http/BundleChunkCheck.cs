using System.Security.Cryptography;
using AtymSecure.Formats;
using AtymSecure.Formats.Bundle;

namespace AtymSecure.DeviceAgent.Http;

/// <summary>
/// Checks a bundle download as its bytes arrive (docs/bundle-format.md#layout): the frame and header through the one
/// envelope parser (<see cref="BundleEnvelopeFeed"/>), then every payload chunk against its SHA-256 in the header
/// (ChunkHashes) the moment its last byte is fed. No I/O: <see cref="BundleDownloader"/> feeds it what it writes (or,
/// on resume, what the partial file holds) and cuts the file where a <see cref="ChunkFault"/> says.
/// The header is not authenticated here (its signature is the installer's job, the whole file's SHA-256 from the
/// signed metadata the downloader's at the end), so these checks catch damage early, not attacks: a server that lies
/// can make the chunk hashes agree with its bytes, and the whole-file hash still refuses them.
/// </summary>
internal sealed class BundleChunkCheck : IDisposable
{
    private readonly long _signedLength;
    private BundleEnvelopeFeed _feed = new();
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private BundleEnvelope? _envelope;
    private int _chunk;

    public BundleChunkCheck(long signedLength) => _signedLength = signedLength;

    /// <summary>Bytes fed so far.</summary>
    public long Position { get; private set; }

    /// <summary>Where the last verified chunk ends: the payload offset once the envelope parsed and no chunk is complete
    /// yet, 0 before (a resume point only from there on: nothing before the envelope can be checked).</summary>
    public long VerifiedEnd { get; private set; }

    /// <summary>Checks the next bytes of the bundle; the first fault found, or null while everything checks.</summary>
    public ChunkFault? Feed(ReadOnlySpan<byte> bytes)
    {
        if (_envelope is null)
        {
            int used;
            try
            {
                used = _feed.Feed(bytes);
            }
            catch (BundleFormatException e)
            {
                var problem = e.Problems[0];
                return new ChunkFault(ReasonCodes.BundleMalformed, $"the bundle's {problem.Path} does not parse: {problem.Message}", 0);
            }
            Position += used;
            bytes = bytes[used..];
            if (_feed.Result is not { } envelope) return null;
            var described = envelope.PayloadOffset + (long)envelope.Header.PayloadLength;
            if (described != _signedLength)
                return new ChunkFault(ReasonCodes.TargetMismatch, $"the bundle's header describes {described} bytes, the signed length is {_signedLength}", 0);
            _envelope = envelope;
            VerifiedEnd = Position;
        }
        return FeedPayload(_envelope, bytes);
    }

    /// <summary>Forgets the bytes fed after <see cref="VerifiedEnd"/> (the partial file was cut back there); only once the envelope parsed.</summary>
    public void RewindToVerifiedEnd()
    {
        if (_envelope is null) throw new InvalidOperationException("nothing is verified before the envelope is complete");
        Position = VerifiedEnd;
        _hash.GetHashAndReset();
    }

    /// <summary>Back to an empty file (the server ignored Range and sends the bundle from its first byte).</summary>
    public void Restart()
    {
        _feed = new BundleEnvelopeFeed();
        _envelope = null;
        _chunk = 0;
        Position = 0;
        VerifiedEnd = 0;
        _hash.GetHashAndReset();
    }

    public void Dispose() => _hash.Dispose();

    private ChunkFault? FeedPayload(BundleEnvelope envelope, ReadOnlySpan<byte> bytes)
    {
        Span<byte> hash = stackalloc byte[BundleHeader.Sha256Bytes];
        while (!bytes.IsEmpty && _chunk < envelope.Header.ChunkCount)
        {
            var start = envelope.ChunkOffset(_chunk);
            var end = start + envelope.Header.ChunkLength(_chunk);
            var n = (int)Math.Min(bytes.Length, end - Position);
            _hash.AppendData(bytes[..n]);
            Position += n;
            bytes = bytes[n..];
            if (Position < end) break;
            _hash.GetHashAndReset(hash);
            if (!CryptographicOperations.FixedTimeEquals(hash, envelope.Header.ChunkHashes[_chunk]))
                // Before any chunk verified, the header itself may be what is damaged: keep nothing.
                return new ChunkFault(ReasonCodes.ChunkMismatch, $"payload chunk {_chunk} (bytes {start}-{end - 1}) does not match its hash in the header",
                    _chunk == 0 ? 0 : start);
            _chunk++;
            VerifiedEnd = end;
        }
        return null;
    }
}
