namespace AtymSecure.Formats.Delta;

/// <summary>
/// Read-only bytes with random access, e.g. a flash slot or a downloaded patch. Decoders read the
/// old image through this (random offsets) and the patch (sequential offsets, a seek on resume).
/// </summary>
public interface IRandomAccessSource
{
    long Length { get; }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; the range is within Length.</summary>
    void Read(long offset, Span<byte> destination);
}

/// <summary>Destination of a reconstructed image, written front to back (a flash slot).</summary>
public interface IDeltaSink
{
    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>. Offsets are sequential, except that
    /// after a resume writing restarts at the checkpoint's output offset (rewriting what followed it).
    /// </summary>
    void Write(long offset, ReadOnlySpan<byte> data);
}

/// <summary>An in-memory <see cref="IRandomAccessSource"/>.</summary>
public sealed class MemorySource(ReadOnlyMemory<byte> bytes) : IRandomAccessSource
{
    public long Length => bytes.Length;

    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > bytes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"read {offset}+{destination.Length} beyond {bytes.Length}");
        }

        bytes.Span.Slice((int)offset, destination.Length).CopyTo(destination);
    }
}

/// <summary>An in-memory <see cref="IDeltaSink"/> of fixed capacity (the slot size).</summary>
public sealed class MemorySink(int capacity) : IDeltaSink
{
    private readonly byte[] _bytes = new byte[capacity];

    /// <summary>One past the highest byte written.</summary>
    public long Written { get; private set; }

    public void Write(long offset, ReadOnlySpan<byte> data)
    {
        if (offset < 0 || offset + data.Length > _bytes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"write {offset}+{data.Length} beyond slot of {_bytes.Length}");
        }

        data.CopyTo(_bytes.AsSpan((int)offset));
        Written = Math.Max(Written, offset + data.Length);
    }

    public byte[] ToArray() => _bytes.AsSpan(0, (int)Written).ToArray();
}
