using AtymSecure.TestSupport;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.FilePort;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.Tests.Support;

namespace AtymSecure.Bootloader.Tests.Flash;

/// <summary>
/// <see cref="FileBackedFlash.OpenReadOnly"/> and <see cref="DeviceBootloader.OpenReadOnly"/>: a read-only command
/// reads the part and never writes it, not even to format a state log that does not verify.
/// </summary>
public sealed class FileBackedFlashReadOnlyTests : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("fileflash-ro");

    public void Dispose() => _temp.Dispose();

    private static FlashGeometry Geometry => FlashProfile.SpiNor.CreateGeometry(LayoutPlanner.RequiredFlashSize(FlashProfile.SpiNor, [new("app", 8192)]));

    [Fact]
    public void A_read_only_part_refuses_programs_and_erases_and_shares_with_other_readers_only()
    {
        var path = Path.Combine(_temp.Path, "ro.flash");
        FileBackedFlash.Create(path, Geometry).Dispose();
        using var first = FileBackedFlash.OpenReadOnly(path);
        using var second = FileBackedFlash.OpenReadOnly(path);
        Assert.True(first.IsReadOnly);
        Assert.Throws<FlashReadOnlyException>(() => first.Program(0, new byte[4]));
        Assert.Throws<FlashReadOnlyException>(() => first.EraseSector(0));
        first.Sync();
        Assert.Throws<FlashFileInUseException>(() => FileBackedFlash.Open(path));
    }

    [Fact]
    public void A_read_only_bootloader_on_a_fresh_part_reports_an_unformatted_log_and_writes_nothing()
    {
        var path = Path.Combine(_temp.Path, "fresh.flash");
        using (var flash = FileBackedFlash.Create(path, Geometry))
            DeviceBootloader.Provision(flash, LayoutPlanner.Plan(flash.Geometry, [new("app", 8192)]));
        var before = File.ReadAllBytes(path);
        using (var flash = FileBackedFlash.OpenReadOnly(path))
        {
            var device = new SimDevice(new Simulator.SimulatedNorFlash(flash.Geometry), SimDevice.DefaultOptions());
            var bl = DeviceBootloader.OpenReadOnly(flash, device.Key, device.Options);
            Assert.True(bl.IsReadOnly);
            Assert.False(bl.LastScan.Formatted);
            Assert.Equal(Bootloader.State.ContainerState.Empty, bl.State("app").State);
            Assert.Throws<InvalidOperationException>(() => bl.Boot());
            Assert.Throws<InvalidOperationException>(() => bl.Confirm("app"));
        }
        Assert.Equal(before, File.ReadAllBytes(path));
    }
}
