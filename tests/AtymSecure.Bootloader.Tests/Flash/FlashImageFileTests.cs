using AtymSecure.TestSupport;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Simulator;

namespace AtymSecure.Bootloader.Tests.Flash;

public sealed class FlashImageFileTests : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("flash");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_persisted_part_survives_a_restart_with_content_wear_and_programmed_units()
    {
        var path = Path.Combine(_temp.Path, "device.flash");
        var flash = new SimulatedNorFlash(FlashProfile.Nrf52Like.CreateGeometry(32 * 1024)) { Mutated = f => FlashImageFile.Save(f, path) };
        flash.EraseSector(4096);
        flash.EraseSector(4096);
        flash.Program(4096, [1, 2, 3, 4]);

        // "Process restart": only the file is left.
        var restored = FlashImageFile.Load(path);
        Assert.Equal(flash.Content.ToArray(), restored.Content.ToArray());
        Assert.Equal(2, restored.EraseCount(1));
        Assert.Equal(3, restored.OperationCount);
        Assert.Throws<FlashDoubleProgramException>(() => restored.Program(4096, [0, 0, 0, 0]));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp-*"));
    }

    [Fact]
    public void The_frozen_state_after_a_cut_is_what_gets_persisted()
    {
        var path = Path.Combine(_temp.Path, "cut.flash");
        var flash = new SimulatedNorFlash(FlashProfile.SpiNor.CreateGeometry(16 * 1024)) { Mutated = f => FlashImageFile.Save(f, path) };
        flash.Arm(new FaultPlan { CutBeforeOperation = 2, CutKind = CutKind.InterruptedErase, Seed = 5 });
        flash.Program(0, [7]);
        Assert.Throws<PowerCutException>(() => flash.EraseSector(4096));
        var restored = FlashImageFile.Load(path);
        Assert.Equal(flash.Content.ToArray(), restored.Content.ToArray());
        Assert.Equal(1, restored.EraseCount(1));
    }

    [Fact]
    public void A_damaged_or_truncated_file_is_refused_with_a_clear_error()
    {
        var path = Path.Combine(_temp.Path, "d.flash");
        FlashImageFile.Save(new SimulatedNorFlash(FlashProfile.SpiNor.CreateGeometry(8192)), path);
        var bytes = File.ReadAllBytes(path);

        var flipped = (byte[])bytes.Clone();
        flipped[100] ^= 1;
        File.WriteAllBytes(path, flipped);
        Assert.Contains("checksum", Assert.Throws<FlashImageFileException>(() => FlashImageFile.Load(path)).Message);

        File.WriteAllBytes(path, bytes[..20]);
        Assert.Contains("too short", Assert.Throws<FlashImageFileException>(() => FlashImageFile.Load(path)).Message);

        var wrongMagic = (byte[])bytes.Clone();
        wrongMagic[0] = (byte)'X';
        File.WriteAllBytes(path, wrongMagic);
        Assert.Contains("magic", Assert.Throws<FlashImageFileException>(() => FlashImageFile.Load(path)).Message);
    }
}
