using AtymSecure.Bootloader.Flash;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent;

/// <summary>
/// A flash part that takes time per program and erase, like a real one: makes installs last long enough
/// to watch (and to kill the device process in the middle of one, which the end-to-end test does).
/// </summary>
internal sealed class SlowFlash(IFlash inner, TimeSpan perOperation, TimeProvider clock) : IFlash
{
    public FlashGeometry Geometry => inner.Geometry;

    public void Read(long offset, Span<byte> destination) => inner.Read(offset, destination);

    public void Program(long offset, ReadOnlySpan<byte> data)
    {
        clock.Sleep(perOperation, CancellationToken.None);
        inner.Program(offset, data);
    }

    public void EraseSector(long sectorOffset)
    {
        clock.Sleep(perOperation, CancellationToken.None);
        inner.EraseSector(sectorOffset);
    }

    public void Sync() => inner.Sync();
}
