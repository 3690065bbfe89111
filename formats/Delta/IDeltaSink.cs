namespace AtymSecure.Formats.Delta;

/// <summary>Destination of a reconstructed image, written front to back (a flash slot).</summary>
public interface IDeltaSink
{
    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>. Offsets are sequential, except that
    /// after a resume writing restarts at the checkpoint's output offset (rewriting what followed it).
    /// </summary>
    void Write(long offset, ReadOnlySpan<byte> data);
}
