using System.Security.Cryptography;

namespace AtymSecure.OtaReleases.Bundles;

/// <summary>
/// A stored bundle's bytes with its digest checked (both stores wrap their stream in it, so the check is the same on a
/// folder and an object store). Positionable until the first read, like the stream it wraps. Read from the start, every
/// byte is hashed, and the read that reaches <see cref="Length"/> throws <see cref="BundleIntegrityException"/> when the
/// bytes are not the digest — before handing out the last bytes, so an HTTP client sees a broken transfer, never a whole
/// wrong bundle; a stream that ends early is refused too. Range reads are not checked (the device checks the whole bundle).
/// </summary>
internal sealed class CheckedBundleStream(Stream inner, string sha256Hex, long length) : Stream
{
    private readonly byte[] _expected = Convert.FromHexString(sha256Hex);
    private IncrementalHash? _hasher;
    private bool _started;
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => !_started && inner.CanSeek;
    public override bool CanWrite => false;
    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (_started) throw new NotSupportedException("a bundle can only be positioned before its first read");
        return _position = inner.Seek(offset, origin);
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return 0;
        if (!_started)
        {
            _started = true;
            if (_position == 0) _hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            if (_position < length) throw new BundleIntegrityException($"bundle {sha256Hex} ended after {_position} of its {length} bytes");
            // An empty object never reaches the check below; its (empty) bytes are still not this digest's.
            if (_hasher is not null && length == 0 && !CryptographicOperations.FixedTimeEquals(_hasher.GetHashAndReset(), _expected))
                throw new BundleIntegrityException($"the stored bundle {sha256Hex} is empty (damaged storage): refused");
            return 0;
        }
        _position += read;
        if (_position > length) throw new BundleIntegrityException($"bundle {sha256Hex} is longer than its {length} bytes");
        if (_hasher is not null)
        {
            _hasher.AppendData(buffer.Span[..read]);
            if (_position == length && !CryptographicOperations.FixedTimeEquals(_hasher.GetHashAndReset(), _expected))
                throw new BundleIntegrityException($"the stored bundle {sha256Hex} does not hash to its name (damaged storage): refused");
        }
        return read;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _hasher?.Dispose();
        }
        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        _hasher?.Dispose();
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
