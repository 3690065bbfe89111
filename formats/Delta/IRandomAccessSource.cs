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
