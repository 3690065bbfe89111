namespace AtymSecure.Bootloader.Flash;

/// <summary>Base of every error the flash layer raises.</summary>
public class FlashException : Exception
{
    public FlashException(string message) : base(message) { }
    public FlashException(string message, Exception inner) : base(message, inner) { }
    public FlashException() { }
}

/// <summary>An access outside the part.</summary>
public sealed class FlashOutOfRangeException : FlashException
{
    public FlashOutOfRangeException(long offset, long length, long size)
        : base($"flash access [{offset}, +{length}) is outside the part (size {size})") { }
    public FlashOutOfRangeException() { }
    public FlashOutOfRangeException(string message) : base(message) { }
    public FlashOutOfRangeException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>Program offset or length not a multiple of the write alignment, or erase not on a sector start.</summary>
public sealed class FlashAlignmentException : FlashException
{
    public FlashAlignmentException(string message) : base(message) { }
    public FlashAlignmentException() { }
    public FlashAlignmentException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A write unit was programmed a second time without an erase in between.</summary>
public sealed class FlashDoubleProgramException : FlashException
{
    public FlashDoubleProgramException(long unitOffset)
        : base($"write unit at 0x{unitOffset:X} is already programmed; erase its sector first") => UnitOffset = unitOffset;
    public FlashDoubleProgramException() { }
    public FlashDoubleProgramException(string message) : base(message) { }
    public FlashDoubleProgramException(string message, Exception inner) : base(message, inner) { }
    public long UnitOffset { get; }
}

/// <summary>A sector reached its erase endurance.</summary>
public sealed class FlashWearOutException : FlashException
{
    public FlashWearOutException(int sectorIndex, int eraseCount)
        : base($"sector {sectorIndex} is worn out after {eraseCount} erase cycles")
    {
        SectorIndex = sectorIndex;
        EraseCount = eraseCount;
    }
    public FlashWearOutException() { }
    public FlashWearOutException(string message) : base(message) { }
    public FlashWearOutException(string message, Exception inner) : base(message, inner) { }
    public int SectorIndex { get; }
    public int EraseCount { get; }
}

/// <summary>
/// Simulated power loss. Raised before the interrupted operation completes; the device stays
/// frozen (every further access raises this too) until it is powered on again.
/// </summary>
public sealed class PowerCutException : FlashException
{
    public PowerCutException(long operationIndex)
        : base($"power cut before flash operation {operationIndex}") => OperationIndex = operationIndex;
    public PowerCutException() { }
    public PowerCutException(string message) : base(message) { }
    public PowerCutException(string message, Exception inner) : base(message, inner) { }
    public long OperationIndex { get; }
}

/// <summary>The persisted flash image file is damaged or does not match the expected part.</summary>
public sealed class FlashImageFileException : FlashException
{
    public FlashImageFileException(string message) : base(message) { }
    public FlashImageFileException() { }
    public FlashImageFileException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A program or erase on a part opened for reading only (a read-only command never writes).</summary>
public sealed class FlashReadOnlyException : FlashException
{
    public FlashReadOnlyException(string message) : base(message) { }
    public FlashReadOnlyException() { }
    public FlashReadOnlyException(string message, Exception inner) : base(message, inner) { }
}
