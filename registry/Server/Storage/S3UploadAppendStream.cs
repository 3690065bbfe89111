using System.Buffers;
using AtymSecure.ObjectStore;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// Appends to an upload session in an object store (<see cref="S3BlobStore.OpenUploadForAppend"/>): bytes gather in one
/// pooled buffer of the chunk size; a full buffer becomes the chunk object <c>uploads/ID/chunks/OFFSET</c>, and
/// <see cref="FlushAsync(CancellationToken)"/> stores the rest. Nothing unflushed is ever stored: disposing without a flush
/// (the request failed) drops it, and the chunks already stored are removed by the caller's truncation.
/// </summary>
internal sealed class S3UploadAppendStream : Stream
{
    private readonly IObjectStore _store;
    private readonly string _uploadId;
    private readonly int _chunkSize;
    private byte[]? _buffer;
    private int _buffered;
    private long _stored;

    public S3UploadAppendStream(IObjectStore store, string uploadId, long length, int chunkSize)
    {
        _store = store;
        _uploadId = uploadId;
        _chunkSize = chunkSize;
        _stored = length;
        _buffer = ArrayPool<byte>.Shared.Rent(chunkSize);
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => _stored + _buffered;

    public override long Position
    {
        get => Length;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var target = _buffer ?? throw new ObjectDisposedException(nameof(S3UploadAppendStream));
        while (buffer.Length > 0)
        {
            var take = Math.Min(buffer.Length, _chunkSize - _buffered);
            buffer.Span[..take].CopyTo(target.AsSpan(_buffered));
            _buffered += take;
            buffer = buffer[take..];
            if (_buffered == _chunkSize) await StoreBufferedAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public override void Flush() => FlushAsync().GetAwaiter().GetResult();

    public override Task FlushAsync(CancellationToken cancellationToken) => StoreBufferedAsync(cancellationToken);

    private async Task StoreBufferedAsync(CancellationToken cancellationToken)
    {
        if (_buffered == 0) return;
        var target = _buffer ?? throw new ObjectDisposedException(nameof(S3UploadAppendStream));
        using var chunk = new MemoryStream(target, 0, _buffered, writable: false);
        await _store.PutAsync(S3BlobKeys.Chunk(_uploadId, _stored), chunk, cancellationToken).ConfigureAwait(false);
        _stored += _buffered;
        _buffered = 0;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer is { } buffer)
        {
            _buffer = null;
            ArrayPool<byte>.Shared.Return(buffer);
        }
        base.Dispose(disposing);
    }
}
