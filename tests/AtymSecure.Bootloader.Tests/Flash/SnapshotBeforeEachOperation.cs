using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.FilePort;

namespace AtymSecure.Bootloader.Tests.Flash;

/// <summary>
/// Wraps a <see cref="FileBackedFlash"/> and, before every program and erase, copies its file as it
/// is at that instant: exactly what <c>kill -9</c> of the device process between two flash
/// operations leaves behind (each operation is one write, so there is nothing in between).
/// </summary>
internal sealed class SnapshotBeforeEachOperation(FileBackedFlash inner, string directory) : IFlash
{
    private readonly List<string> _snapshots = [];

    /// <summary>Snapshot files in operation order (index i = state before operation i + 1).</summary>
    public IReadOnlyList<string> Snapshots => _snapshots;

    public FlashGeometry Geometry => inner.Geometry;

    public void Read(long offset, Span<byte> destination) => inner.Read(offset, destination);

    public void Program(long offset, ReadOnlySpan<byte> data)
    {
        Snapshot();
        inner.Program(offset, data);
    }

    public void EraseSector(long sectorOffset)
    {
        Snapshot();
        inner.EraseSector(sectorOffset);
    }

    public void Sync() => inner.Sync();

    /// <summary>Also callable at the end, for the state after the last operation.</summary>
    public void Snapshot()
    {
        var path = Path.Combine(directory, $"kill-{_snapshots.Count:D4}.flash");
        inner.CopyTo(path);
        _snapshots.Add(path);
    }
}
