namespace AtymSecure.Formats.Delta;

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
