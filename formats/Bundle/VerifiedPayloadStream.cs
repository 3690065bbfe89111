using System.Security.Cryptography;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Reads a bundle payload one chunk at a time and hands out a chunk's bytes only after its
/// SHA-256 matched the signed header; reading past the declared length is an error too.
/// Memory use: one chunk buffer.
/// </summary>
internal sealed class VerifiedPayloadStream : Stream
{
    private readonly BundleHeader _header;
    private readonly Stream _inner;
    private readonly byte[] _chunk;
    private int _nextChunk;
    private int _chunkLength;
    private int _chunkPosition;

    public VerifiedPayloadStream(BundleHeader header, Stream inner, int startChunk)
    {
        if (startChunk < 0 || startChunk > header.ChunkCount) throw new ArgumentOutOfRangeException(nameof(startChunk));
        _header = header;
        _inner = inner;
        _chunk = new byte[header.ChunkSize];
        _nextChunk = startChunk;
    }

    public int ChunksVerified { get; private set; }

    public override int Read(Span<byte> buffer)
    {
        if (_chunkPosition == _chunkLength && !LoadNextChunk()) return 0;
        var n = Math.Min(buffer.Length, _chunkLength - _chunkPosition);
        _chunk.AsSpan(_chunkPosition, n).CopyTo(buffer);
        _chunkPosition += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    private bool LoadNextChunk()
    {
        if (_nextChunk >= _header.ChunkCount)
        {
            // The declared payload is complete; anything after it is not ours to read.
            return false;
        }
        var length = _header.ChunkLength(_nextChunk);
        var read = 0;
        while (read < length)
        {
            var n = _inner.Read(_chunk, read, length - read);
            if (n == 0)
                throw new BundleVerificationException(new Problem(ReasonCodes.Truncated, "payload", $"payload ends inside chunk {_nextChunk} ({read} of {length} bytes)"));
            read += n;
        }
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(_chunk.AsSpan(0, length), hash);
        if (!CryptographicOperations.FixedTimeEquals(hash, _header.ChunkHashes[_nextChunk]))
            throw new BundleVerificationException(new Problem(ReasonCodes.ChunkMismatch, $"chunkHashes[{_nextChunk}]", $"payload chunk {_nextChunk} does not match its signed hash"));
        _chunkLength = length;
        _chunkPosition = 0;
        _nextChunk++;
        ChunksVerified++;
        return true;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
