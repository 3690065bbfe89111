using AtymSecure.Bootloader.Flash;

namespace AtymSecure.DeviceAgent;

/// <summary>
/// A flash part that takes time per program and erase, like a real one: makes installs last long enough
/// to watch (and to kill the device process in the middle of one, which the end-to-end test does).
/// </summary>
public sealed class SlowFlash(IFlash inner, TimeSpan perOperation) : IFlash
{
    public FlashGeometry Geometry => inner.Geometry;

    public void Read(long offset, Span<byte> destination) => inner.Read(offset, destination);

    public void Program(long offset, ReadOnlySpan<byte> data)
    {
        Thread.Sleep(perOperation);
        inner.Program(offset, data);
    }

    public void EraseSector(long sectorOffset)
    {
        Thread.Sleep(perOperation);
        inner.EraseSector(sectorOffset);
    }

    public void Sync() => inner.Sync();
}
