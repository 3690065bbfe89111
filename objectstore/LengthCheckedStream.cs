namespace AtymSecure.ObjectStore;

/// <summary>
/// The body of a GET, read-only and forward-only: it ends after exactly the length the server announced, and fails with
/// <see cref="ObjectStoreError.Integrity"/> when the connection ends before (a truncated object must never pass for a
/// short one). Disposing it disposes the SDK response (and so the connection's lease).
/// </summary>
internal sealed class LengthCheckedStream(Stream inner, long announced, IDisposable owner, string key) : Stream
{
    private readonly long _length = announced;
    private long _remaining = announced;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _length - _remaining;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_remaining == 0 || buffer.Length == 0) return 0;
        var read = inner.Read(buffer[..(int)Math.Min(buffer.Length, _remaining)]);
        return Account(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining == 0 || buffer.Length == 0) return 0;
        var read = await inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        return Account(read);
    }

    private int Account(int read)
    {
        if (read == 0)
            throw new ObjectStoreException(ObjectStoreError.Integrity, key,
                $"the object store's answer for '{key}' ended {_remaining} bytes before the announced {_length}");
        _remaining -= read;
        return read;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            owner.Dispose();
        }
        base.Dispose(disposing);
    }
}
