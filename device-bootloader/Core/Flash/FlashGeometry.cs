namespace AtymSecure.Bootloader.Flash;

/// <summary>
/// Shape of a flash part: sector sizes in address order (mixed sizes allowed, like STM32F4's
/// 16/64/128 KiB), program alignment, erased byte value and erase endurance per sector.
/// </summary>
public sealed class FlashGeometry
{
    private readonly long[] _sectorStarts;

    public FlashGeometry(IReadOnlyList<int> sectorSizes, int writeAlignment, byte erasedValue, int endurance)
    {
        ArgumentNullException.ThrowIfNull(sectorSizes);
        if (sectorSizes.Count == 0) throw new ArgumentException("a flash part needs at least one sector", nameof(sectorSizes));
        if (writeAlignment is not (1 or 2 or 4 or 8 or 16 or 32))
            throw new ArgumentOutOfRangeException(nameof(writeAlignment), writeAlignment, "write alignment must be 1, 2, 4, 8, 16 or 32");
        if (erasedValue is not (0x00 or 0xFF))
            throw new ArgumentOutOfRangeException(nameof(erasedValue), erasedValue, "erased value must be 0x00 or 0xFF");
        if (endurance < 1) throw new ArgumentOutOfRangeException(nameof(endurance), endurance, "endurance must be positive");

        _sectorStarts = new long[sectorSizes.Count + 1];
        for (var i = 0; i < sectorSizes.Count; i++)
        {
            var size = sectorSizes[i];
            if (size < 512 || size > 256 * 1024 || (size & (size - 1)) != 0)
                throw new ArgumentOutOfRangeException(nameof(sectorSizes), size, $"sector {i}: size must be a power of two between 512 B and 256 KiB");
            if (size % writeAlignment != 0)
                throw new ArgumentOutOfRangeException(nameof(sectorSizes), size, $"sector {i}: size is not a multiple of the write alignment");
            _sectorStarts[i + 1] = _sectorStarts[i] + size;
        }

        SectorSizes = sectorSizes.ToArray();
        WriteAlignment = writeAlignment;
        ErasedValue = erasedValue;
        Endurance = endurance;
    }

    public IReadOnlyList<int> SectorSizes { get; }
    public int WriteAlignment { get; }
    public byte ErasedValue { get; }

    /// <summary>Erase cycles a sector survives; the next erase raises <see cref="FlashWearOutException"/>.</summary>
    public int Endurance { get; }

    public int SectorCount => SectorSizes.Count;
    public long TotalSize => _sectorStarts[^1];

    public long SectorStart(int index) => _sectorStarts[index];
    public int SectorSize(int index) => SectorSizes[index];

    /// <summary>Index of the sector holding <paramref name="offset"/>.</summary>
    public int SectorIndexAt(long offset)
    {
        if (offset < 0 || offset >= TotalSize)
            throw new FlashOutOfRangeException(offset, 1, TotalSize);
        var i = Array.BinarySearch(_sectorStarts, offset);
        return i >= 0 ? i : ~i - 1;
    }

    /// <summary>True when <paramref name="offset"/> is the first byte of a sector (or the end of the part).</summary>
    public bool IsSectorBoundary(long offset) => Array.BinarySearch(_sectorStarts, offset) >= 0;

    /// <summary>Refuses an access that is not entirely inside the part.</summary>
    public void CheckRange(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset + length > TotalSize)
            throw new FlashOutOfRangeException(offset, length, TotalSize);
    }

    /// <summary>The rules every part applies before a program: inside the part, offset and length aligned.</summary>
    public void CheckProgram(long offset, int length)
    {
        CheckRange(offset, length);
        if (offset % WriteAlignment != 0 || length % WriteAlignment != 0)
            throw new FlashAlignmentException($"program [0x{offset:X}, +{length}) is not aligned to {WriteAlignment} bytes");
    }

    /// <summary>The rules every part applies before an erase; returns the index of the sector starting at <paramref name="sectorOffset"/>.</summary>
    public int CheckErase(long sectorOffset)
    {
        CheckRange(sectorOffset, 1);
        if (!IsSectorBoundary(sectorOffset))
            throw new FlashAlignmentException($"erase at 0x{sectorOffset:X} is not the start of a sector");
        return SectorIndexAt(sectorOffset);
    }

    /// <summary>The same part with another alignment / erased value (test matrix).</summary>
    public FlashGeometry With(int? writeAlignment = null, byte? erasedValue = null, int? endurance = null) =>
        new(SectorSizes, writeAlignment ?? WriteAlignment, erasedValue ?? ErasedValue, endurance ?? Endurance);

    public override string ToString() =>
        $"{TotalSize / 1024} KiB, {SectorCount} sectors, align {WriteAlignment}, erased 0x{ErasedValue:X2}";
}
