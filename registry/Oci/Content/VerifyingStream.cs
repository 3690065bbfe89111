using System.Security.Cryptography;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Content;

/// <summary>
/// Read-only stream that hashes what passes through and, when the inner stream ends, throws
/// <see cref="SizeMismatchException"/> or <see cref="DigestMismatchException"/> unless the content is
/// exactly the descriptor's. Reading past the declared size fails at once, so a hostile server
/// cannot make us buffer or write more than we asked for.
/// </summary>
public sealed class VerifyingStream : Stream
{
    private readonly Stream _inner;
    private readonly Descriptor _expected;
    private readonly IncrementalHash _hash;
    private readonly string _what;
    private long _position;
    private readonly bool _leaveOpen;
    private bool _verified;

    /// <param name="leaveOpen">true to leave <paramref name="inner"/> undisposed when this stream is disposed</param>
    public VerifyingStream(Stream inner, Descriptor expected, string? what = null, bool leaveOpen = false)
    {
        _leaveOpen = leaveOpen;
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(expected);
        if (!expected.Digest.IsSupported)
            throw new NotSupportedException($"cannot verify digest algorithm '{expected.Digest.Algorithm}'");
        _inner = inner;
        _expected = expected;
        _hash = expected.Digest.CreateHasher();
        _what = what ?? expected.Digest.ToString();
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _expected.Size;
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        return Account(buffer[..n]);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return 0;
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Account(buffer.Span[..n]);
    }

    private int Account(ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length == 0)
        {
            Verify();
            return 0;
        }
        _position += chunk.Length;
        if (_position > _expected.Size) throw new SizeMismatchException(_expected.Size, -1, _what);
        _hash.AppendData(chunk);
        return chunk.Length;
    }

    private void Verify()
    {
        if (_verified) return;
        if (_position != _expected.Size) throw new SizeMismatchException(_expected.Size, _position, _what);
        var actual = Digest.FromHash(_expected.Digest.Algorithm, _hash.GetHashAndReset());
        if (actual != _expected.Digest) throw new DigestMismatchException(_expected.Digest, actual, _what);
        _verified = true;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (!_leaveOpen) _inner.Dispose();
            _hash.Dispose();
        }
        base.Dispose(disposing);
    }
}
