using AtymSecure.TestSupport;
using AtymSecure.Bootloader.Flash;
using CsCheck;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.FilePort;

namespace AtymSecure.Bootloader.Tests.Flash;

/// <summary>
/// Property: any sequence of programs and erases (valid or not) does the same thing on a
/// <see cref="FileBackedFlash"/> as on a <see cref="SimulatedNorFlash"/> of the same geometry —
/// same exception type per operation, same content, same wear. Programs always move at least one
/// byte per unit off the erased value, so the documented difference (a unit programmed with the
/// erased value) never arises.
/// </summary>
public sealed class FileBackedFlashEquivalenceTests : IDisposable
{
    // Mixed sizes so programs cross sector boundaries; 4 KiB total.
    private static readonly int[] Sectors = [512, 1024, 512, 2048];
    private readonly TempFolder _temp = TempFolder.Create("fileflash-eq");

    public void Dispose() => _temp.Dispose();

    /// <summary>Kind 0-1 program, 2 erase; unit, count, data seed, misalign flag.</summary>
    private static readonly Gen<(int Kind, int Unit, int Count, int Seed, bool Misalign)> GenOp =
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 4200], Gen.Int[1, 48], Gen.Int, Gen.Int[0, 15].Select(i => i == 0));

    [Fact]
    public void Random_operation_sequences_leave_identical_content_and_wear()
    {
        Gen.Select(Gen.Int[0, 2].Select(i => 1 << (2 * i)), Gen.Bool, GenOp.Array[1, 60]).Sample((alignment, erasedHigh, ops) =>
        {
            var geometry = new FlashGeometry(Sectors, alignment, erasedHigh ? (byte)0xFF : (byte)0x00, endurance: 3);
            var path = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N") + ".flash");
            var sim = new SimulatedNorFlash(geometry);
            using (var file = FileBackedFlash.Create(path, geometry))
            {
                foreach (var op in ops)
                {
                    var simError = Apply(sim, op);
                    var fileError = Apply(file, op);
                    if (simError != fileError) return false;
                }
                if (!Content(file).AsSpan().SequenceEqual(sim.Content)) return false;
                if (!Enumerable.Range(0, geometry.SectorCount).All(s => file.EraseCounts[s] == sim.EraseCount(s))) return false;
            }
            // ... and the file says the same after a reopen.
            using var reopened = FileBackedFlash.Open(path);
            var same = Content(reopened).AsSpan().SequenceEqual(sim.Content)
                && Enumerable.Range(0, geometry.SectorCount).All(s => reopened.EraseCounts[s] == sim.EraseCount(s));
            reopened.Dispose();
            File.Delete(path);
            return same;
        }, iter: 150);
    }

    /// <summary>Runs one operation; the name of the exception type it raised, or null.</summary>
    private static string? Apply(IFlash flash, (int Kind, int Unit, int Count, int Seed, bool Misalign) op)
    {
        var g = flash.Geometry;
        try
        {
            if (op.Kind == 2)
            {
                // Mostly real sector starts (including one past the end), sometimes a misaligned address.
                var sector = op.Unit % (g.SectorCount + 1);
                var start = sector == g.SectorCount ? g.TotalSize : g.SectorStart(sector);
                flash.EraseSector(op.Misalign ? start + g.WriteAlignment : start);
            }
            else
            {
                var offset = (long)op.Unit * g.WriteAlignment % (g.TotalSize + 64);
                var data = UnitsOffErased(op.Count * g.WriteAlignment, g.WriteAlignment, g.ErasedValue, op.Seed);
                flash.Program(op.Misalign ? offset + 1 : offset, op.Misalign && g.WriteAlignment == 1 ? data.AsSpan(1) : data);
            }
            return null;
        }
        catch (FlashException e)
        {
            return e.GetType().Name;
        }
    }

    /// <summary>Random bytes where every write unit has at least one byte off the erased value.</summary>
    private static byte[] UnitsOffErased(int length, int alignment, byte erased, int seed)
    {
        var rng = new Random(seed);
        var data = new byte[length];
        rng.NextBytes(data);
        for (var u = 0; u < length; u += alignment)
            data[u + rng.Next(alignment)] = (byte)(erased ^ (1 + rng.Next(255)));
        return data;
    }

    private static byte[] Content(IFlash flash)
    {
        var bytes = new byte[flash.Geometry.TotalSize];
        flash.Read(0, bytes);
        return bytes;
    }
}
