namespace AtymSecure.Bootloader.Flash;

/// <summary>
/// A NOR flash part as the bootloader sees it: byte-addressable reads, aligned programs that only
/// move bits away from the erased value, and whole-sector erases. Counted operations (program,
/// erase) are what the power-cut tests interrupt.
/// </summary>
public interface IFlash
{
    /// <summary>Sectors, write alignment, erased value and endurance of the part.</summary>
    FlashGeometry Geometry { get; }

    /// <summary>Reads <paramref name="destination"/>.Length bytes at <paramref name="offset"/>.</summary>
    void Read(long offset, Span<byte> destination);

    /// <summary>
    /// Programs <paramref name="data"/> at <paramref name="offset"/>. Offset and length must be
    /// multiples of the write alignment, and every unit touched must be erased.
    /// </summary>
    void Program(long offset, ReadOnlySpan<byte> data);

    /// <summary>Erases the whole sector that starts at <paramref name="sectorOffset"/>.</summary>
    void EraseSector(long sectorOffset);

    /// <summary>
    /// Write barrier: every program issued before it is durable when it returns. Parts that
    /// complete writes out of order (the simulator's <c>FaultPlan.OutOfOrderWrites</c>) need this
    /// before any record that refers to earlier writes.
    /// </summary>
    void Sync();
}
