using AtymSecure.TestSupport;
using AtymSecure.Bootloader.FilePort;
using AtymSecure.Bootloader.Flash;

namespace AtymSecure.Bootloader.Tests.Flash;

/// <summary>
/// The file-backed flash format (ASFB v1) as committed bytes, made once by today's writer and kept
/// forever: three sectors of mixed size, erased and programmed so the file holds non-zero erase
/// counts and a program that crosses a sector boundary (which carries the next sector's count along).
/// </summary>
public sealed class FileBackedFlashGoldenTests : IDisposable
{
    private const string Golden = "flash-file-v1-three-sectors.flash";
    private static readonly FlashGeometry Geometry = new([512, 512, 1024], 4, 0xFF, 100);
    private static readonly byte[] FirstProgram = [1, 2, 3, 4, 5, 6, 7, 8];
    private static readonly byte[] CrossingProgram = [.. Enumerable.Range(0xA0, 16).Select(b => (byte)b)];

    private readonly TempFolder _temp = TempFolder.Create("flash-golden");

    public void Dispose() => _temp.Dispose();

    /// <summary>What the golden file holds, as operations on a new part (the writer's half of the test).</summary>
    private static void WriteGoldenContent(IFlash flash)
    {
        flash.EraseSector(512);
        flash.EraseSector(512);
        flash.EraseSector(1024);
        flash.Program(512, FirstProgram);
        flash.Program(1016, CrossingProgram); // 8 bytes at the end of sector 1, 8 at the start of sector 2
    }

    [Fact]
    public void Golden_v1_file_opens_with_its_geometry_erase_counts_and_content()
    {
        using var flash = FileBackedFlash.Open(CopyOfGolden(Golden));
        Assert.Equal(Geometry.SectorSizes, flash.Geometry.SectorSizes);
        Assert.Equal(4, flash.Geometry.WriteAlignment);
        Assert.Equal(0xFF, flash.Geometry.ErasedValue);
        Assert.Equal(100, flash.Geometry.Endurance);
        Assert.Equal([0, 2, 1], flash.EraseCounts);

        var content = new byte[Geometry.TotalSize];
        flash.Read(0, content);
        var expected = new byte[Geometry.TotalSize];
        expected.AsSpan().Fill(0xFF);
        FirstProgram.CopyTo(expected, 512);
        CrossingProgram.CopyTo(expected, 1016);
        Assert.Equal(expected, content);
    }

    [Fact]
    public void Todays_writer_reproduces_the_golden_file_byte_for_byte()
    {
        var path = Path.Combine(_temp.Path, "new.flash");
        using (var flash = FileBackedFlash.Create(path, Geometry)) WriteGoldenContent(flash);
        Assert.Equal(GoldenFile.Read(Golden), File.ReadAllBytes(path));
    }

    [Fact]
    public void A_golden_file_keeps_working_as_flash_after_reopening()
    {
        var path = CopyOfGolden(Golden);
        using (var flash = FileBackedFlash.Open(path)) flash.EraseSector(0);
        using var again = FileBackedFlash.Open(path);
        Assert.Equal([1, 2, 1], again.EraseCounts);
    }

    [Theory]
    [InlineData("flash-file-v1-damaged-header-negative.flash", "checksum mismatch")]
    [InlineData("flash-file-v1-truncated-negative.flash", "expected 2108 for its geometry")]
    [InlineData("flash-file-v1-worn-count-negative.flash", "sector 1 has erase count 101")]
    public void Negative_goldens_are_refused_with_the_reason(string name, string expected)
    {
        var e = Assert.Throws<FlashImageFileException>(() => FileBackedFlash.Open(CopyOfGolden(name)).Dispose());
        Assert.Contains(expected, e.Message);
    }

    /// <summary>Opening takes an exclusive lock and may write, so tests work on a copy of the committed file.</summary>
    private string CopyOfGolden(string name)
    {
        var path = Path.Combine(_temp.Path, name);
        File.Copy(GoldenFile.PathOf(name), path);
        return path;
    }
}
