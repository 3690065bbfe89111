using AtymSecure.ObjectStore;

namespace AtymSecure.Registry.Storage;

/// <summary>
/// An upload session's bytes read back from its chunk objects, one GET per chunk, in order (<see cref="S3BlobStore.OpenUploadForRead"/>
/// and the commit). Each chunk must be exactly as long as the listing said (the object store's stream checks the length it
/// announced; this checks that against the listing), so a chunk replaced meanwhile fails the read instead of shifting bytes.
/// </summary>
internal sealed class S3ChunkReadStream(IObjectStore store, IReadOnlyList<S3BlobStore.Chunk> chunks) : Stream
{
    private int _index;
    private ObjectContent? _current;
    private long _position;
    private readonly long _length = chunks.Sum(c => c.Size);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        while (buffer.Length > 0 && _index < chunks.Count)
        {
            var chunk = chunks[_index];
            if (_current is null)
            {
                _current = await store.GetAsync(chunk.Key, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (_current.Length != chunk.Size)
                    throw new ObjectStoreException(ObjectStoreError.Integrity, chunk.Key,
                        $"chunk '{chunk.Key}' has {_current.Length} bytes now, {chunk.Size} when the session was listed");
            }
            var read = await _current.Stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            if (read > 0)
            {
                _position += read;
                return read;
            }
            await _current.DisposeAsync().ConfigureAwait(false);
            _current = null;
            _index++;
        }
        return 0;
    }

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) _current?.Dispose();
        _current = null;
        base.Dispose(disposing);
    }
}
