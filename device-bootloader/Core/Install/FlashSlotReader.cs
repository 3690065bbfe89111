using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Layout;

namespace AtymSecure.Bootloader.Install;

/// <summary>Reads the first <c>length</c> bytes of a slot (an installed image) by random access.</summary>
public sealed class FlashSlotReader : ISlotReader
{
    private readonly IFlash _flash;
    private readonly Partition _slot;

    public FlashSlotReader(IFlash flash, Partition slot, long length)
    {
        ArgumentNullException.ThrowIfNull(flash);
        ArgumentNullException.ThrowIfNull(slot);
        if (length < 0 || length > slot.Size) throw new ArgumentOutOfRangeException(nameof(length), length, $"slot holds {slot.Size} bytes");
        _flash = flash;
        _slot = slot;
        Length = length;
    }

    public long Length { get; }

    public void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > Length)
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"read [{offset}, +{destination.Length}) is outside the image ({Length} bytes)");
        _flash.Read(_slot.Offset + offset, destination);
    }

    /// <summary>The whole image (tests and small images).</summary>
    public byte[] ReadAll()
    {
        var bytes = new byte[Length];
        Read(0, bytes);
        return bytes;
    }
}
