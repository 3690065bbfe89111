using AtymSecure.Bootloader.Flash;
using AtymSecure.TestSupport;
using AtymSecure.Bootloader.FilePort;

namespace AtymSecure.Bootloader.Tests.Flash;

/// <summary>
/// The exclusive lock seen from a real second process: util-linux <c>flock</c> (the same flock(2)
/// lock .NET takes) cannot get it while a part is open, and a part cannot be opened while it holds it.
/// </summary>
[Trait("Requires", "process")]
public sealed class FileBackedFlashLockTests : IDisposable
{
    private const string FlockHint = "install the Debian package 'util-linux' (it provides flock)";
    private const int Busy = 75;
    private readonly TempFolder _temp = TempFolder.Create("fileflash-lock");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Another_process_cannot_take_the_lock_while_the_part_is_open()
    {
        var path = Path.Combine(_temp.Path, "device.flash");
        using (FileBackedFlash.Create(path, new FlashGeometry([4096], 4, 0xFF, 10)))
        {
            var held = await ExternalTool.RunAsync("flock", ["--nonblock", "--conflict-exit-code", $"{Busy}", path, "true"], installHint: FlockHint);
            Assert.True(held.ExitCode == Busy, $"flock got the lock of an open part: {held}");
        }
        var free = await ExternalTool.RunAsync("flock", ["--nonblock", "--conflict-exit-code", $"{Busy}", path, "true"], installHint: FlockHint);
        Assert.True(free.ExitCode == 0, $"the lock outlived Dispose: {free}");
    }

    [Fact]
    public async Task The_part_cannot_be_opened_while_another_process_holds_it()
    {
        var path = Path.Combine(_temp.Path, "device.flash");
        FileBackedFlash.Create(path, new FlashGeometry([4096], 4, 0xFF, 10)).Dispose();
        // --close: only flock itself holds the lock, so it is gone once flock has exited.
        await using (var other = BackgroundProcess.Start("flock", ["--exclusive", "--close", path, "sh", "-c", "echo locked; exec sleep 600"], FlockHint))
        {
            // Readiness, not timing: wait (bounded) until the other process says it holds the lock.
            await other.WaitForLogAsync("locked", TimeSpan.FromSeconds(30));
            var e = Assert.Throws<FlashFileInUseException>(() => FileBackedFlash.Open(path));
            Assert.Contains("in use by another process", e.Message);
        }
        using var flash = FileBackedFlash.Open(path);
        Assert.Equal(1, flash.Geometry.SectorCount);
    }
}
