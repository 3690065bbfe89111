using System.Security.Cryptography;
using AtymSecure.ObjectStore;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// A committed blob read from the object store (<see cref="S3BlobStore.OpenRead"/>). It may be positioned before the first
/// read (the blob handler seeks to a range's start); the GET is sent on that read, from that offset to the end. Read from
/// the start, every byte is hashed, and the read that reaches the end fails with <see cref="ObjectStoreError.Integrity"/>
/// when the bytes are not the digest — before the last bytes are handed out, so a client streaming the blob sees a broken
/// transfer rather than a complete wrong one.
/// </summary>
internal sealed class S3BlobReadStream(IObjectStore store, string key, Digest digest) : Stream
{
    private ObjectContent? _content;
    private IncrementalHash? _hasher;
    private long _position;
    private long? _length;

    public override bool CanRead => true;
    public override bool CanSeek => _content is null;
    public override bool CanWrite => false;

    public override long Length => _length ??= (store.HeadAsync(key).GetAwaiter().GetResult()
        ?? throw new ObjectStoreException(ObjectStoreError.NotFound, key, $"blob {digest} is not in the object store")).Size;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (_content is not null) throw new NotSupportedException("the blob can only be positioned before its first read");
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => Length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        return _position = target;
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0) return 0;
        if (_content is null)
        {
            _content = await store.GetAsync(key, _position, cancellationToken: cancellationToken).ConfigureAwait(false);
            _length = _content.TotalSize;
            if (_position == 0 && digest.IsSupported) _hasher = digest.CreateHasher();
        }
        var read = await _content.Stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0) return 0;
        _position += read;
        if (_hasher is not null)
        {
            _hasher.AppendData(buffer.Span[..read]);
            if (_position == _content.TotalSize && Digest.FromHash(digest.Algorithm, _hasher.GetHashAndReset()) != digest)
                throw new ObjectStoreException(ObjectStoreError.Integrity, key, $"the object store returned bytes for {digest} that do not hash to it");
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
            _content?.Dispose();
            _hasher?.Dispose();
        }
        _content = null;
        base.Dispose(disposing);
    }
}
