using AtymSecure.Bootloader.Flash;

namespace AtymSecure.Bootloader.Layout;

/// <summary>Reads the table from sector 0, and writes it once at provisioning.</summary>
public static class PartitionTableStore
{
    /// <summary>Provisioning (factory, not power-safe by design): erase sector 0 and program the table.</summary>
    public static void Provision(IFlash flash, PartitionTable table)
    {
        ArgumentNullException.ThrowIfNull(flash);
        var g = flash.Geometry;
        var encoded = PartitionTableCodec.Encode(table, g);
        if (encoded.Length > g.SectorSize(0))
            throw new PartitionTableException(PartitionTableProblemCodes.TableTooLarge, "$", $"encoded table ({encoded.Length} bytes) does not fit sector 0 ({g.SectorSize(0)} bytes)");
        var padded = new byte[(encoded.Length + g.WriteAlignment - 1) / g.WriteAlignment * g.WriteAlignment];
        padded.AsSpan().Fill(g.ErasedValue);
        encoded.CopyTo(padded, 0);
        flash.EraseSector(0);
        flash.Program(0, padded);
        flash.Sync();
    }

    public static PartitionTable Read(IFlash flash)
    {
        ArgumentNullException.ThrowIfNull(flash);
        var g = flash.Geometry;
        var buffer = new byte[Math.Min(PartitionTableCodec.MaxEncodedSize, g.SectorSize(0))];
        flash.Read(0, buffer);
        return PartitionTableCodec.Decode(buffer, g);
    }
}
