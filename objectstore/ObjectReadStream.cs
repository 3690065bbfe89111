using System.Security.Cryptography;

namespace AtymSecure.ObjectStore;

/// <summary>The hash an object's bytes must have (a content-addressed object: its key names it), and what to call it in errors.</summary>
public sealed record ExpectedHash(HashAlgorithmName Algorithm, byte[] Value, string Name);

/// <summary>
/// One object read as a <see cref="Stream"/>, for HTTP handlers that serve it whole or by range (the registry's blobs, the
/// OTA server's bundles). It may be positioned before the first read (a handler seeks to a range's start); the GET is sent
/// on that read, from that offset to the end. With an <see cref="ExpectedHash"/> and read from the start, every byte is
/// hashed, and the read that reaches the end fails with <see cref="ObjectStoreError.Integrity"/> when the bytes are not
/// that hash — before the last bytes are handed out, so a client streaming the object sees a broken transfer rather than
/// a complete wrong one. Range reads cannot be checked (clients check whole objects).
/// </summary>
public sealed class ObjectReadStream(IObjectStore store, string key, ExpectedHash? expected = null, long? knownLength = null) : Stream
{
    private ObjectContent? _content;
    private IncrementalHash? _hasher;
    private long _position;
    private long? _length = knownLength;

    public override bool CanRead => true;
    public override bool CanSeek => _content is null;
    public override bool CanWrite => false;

    public override long Length => _length ??= (store.HeadAsync(key).GetAwaiter().GetResult()
        ?? throw new ObjectStoreException(ObjectStoreError.NotFound, key, $"{expected?.Name ?? key} is not in the object store")).Size;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        if (_content is not null) throw new NotSupportedException("the object can only be positioned before its first read");
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
            if (_length is { } known && _position >= known) return 0;
            _content = await store.GetAsync(key, _position, cancellationToken: cancellationToken).ConfigureAwait(false);
            _length = _content.TotalSize;
            if (_position == 0 && expected is not null) _hasher = IncrementalHash.CreateHash(expected.Algorithm);
        }
        var read = await _content.Stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0) return 0;
        _position += read;
        if (_hasher is not null)
        {
            _hasher.AppendData(buffer.Span[..read]);
            if (_position == _content.TotalSize && !CryptographicOperations.FixedTimeEquals(_hasher.GetHashAndReset(), expected!.Value))
                throw new ObjectStoreException(ObjectStoreError.Integrity, key, $"the object store returned bytes for {expected.Name} that do not hash to it");
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
