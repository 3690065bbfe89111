namespace AtymSecure.Formats.Delta;

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
