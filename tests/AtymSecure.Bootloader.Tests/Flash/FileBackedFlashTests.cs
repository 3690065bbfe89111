using AtymSecure.TestSupport;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Tests.Support;
using AtymSecure.Bootloader.Simulator;
using AtymSecure.Bootloader.FilePort;

namespace AtymSecure.Bootloader.Tests.Flash;

/// <summary>NOR rules, persistence, wear and exclusive use of <see cref="FileBackedFlash"/>.</summary>
public sealed class FileBackedFlashTests : IDisposable
{
    private readonly TempFolder _temp = TempFolder.Create("fileflash");

    public void Dispose() => _temp.Dispose();

    private string PathOf(string name) => Path.Combine(_temp.Path, name);

    private static FlashGeometry Geometry(int alignment = 4, byte erased = 0xFF, int endurance = 100, int sectors = 4) =>
        new(Enumerable.Repeat(4096, sectors).ToArray(), alignment, erased, endurance);

    private static byte[] ReadAll(IFlash flash)
    {
        var bytes = new byte[flash.Geometry.TotalSize];
        flash.Read(0, bytes);
        return bytes;
    }

    [Theory]
    [InlineData(0xFF)]
    [InlineData(0x00)]
    public void A_new_part_reads_as_erased_with_zero_wear_and_its_file_has_the_exact_size(byte erased)
    {
        using var flash = FileBackedFlash.Create(PathOf("new.flash"), Geometry(erased: erased));
        Assert.All(ReadAll(flash), b => Assert.Equal(erased, b));
        Assert.Equal([0, 0, 0, 0], flash.EraseCounts);
        Assert.Equal(PathOf("new.flash"), flash.Path);
        // header 32 + 4 sector sizes + crc, then a 4-byte erase count before each sector
        Assert.Equal(32 + 16 + 4 + 4 * (4 + 4096), new FileInfo(flash.Path).Length);
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp-*"));
    }

    [Theory]
    [InlineData(4, 2, 4)]
    [InlineData(4, 4, 6)]
    [InlineData(16, 8, 16)]
    [InlineData(32, 16, 32)]
    public void Misaligned_programs_are_refused_and_change_nothing(int alignment, long offset, int length)
    {
        using var flash = FileBackedFlash.Create(PathOf("a.flash"), Geometry(alignment));
        var data = Enumerable.Repeat((byte)0x12, length).ToArray();
        Assert.Throws<FlashAlignmentException>(() => flash.Program(offset, data));
        Assert.All(ReadAll(flash), b => Assert.Equal(0xFF, b));
    }

    [Fact]
    public void Programming_a_unit_that_no_longer_reads_erased_is_refused_until_its_sector_is_erased()
    {
        using var flash = FileBackedFlash.Create(PathOf("p.flash"), Geometry(4));
        flash.Program(8, [1, 2, 3, 4]);
        var e = Assert.Throws<FlashDoubleProgramException>(() => flash.Program(4, [0, 0, 0, 0, 9, 9, 9, 9]));
        Assert.Equal(8, e.UnitOffset);
        Assert.Equal([0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4], Read(flash, 4, 8)); // the refused program wrote nothing
        flash.EraseSector(0);
        flash.Program(8, [5, 6, 7, 8]);
        Assert.Equal([5, 6, 7, 8], Read(flash, 8, 4));
    }

    [Fact]
    public void A_unit_programmed_with_the_erased_value_still_reads_erased_so_it_may_be_programmed_again()
    {
        // The documented difference from SimulatedNorFlash: the file keeps content, not "programmed" flags.
        using var flash = FileBackedFlash.Create(PathOf("e.flash"), Geometry(4));
        flash.Program(0, [0xFF, 0xFF, 0xFF, 0xFF]);
        flash.Program(0, [1, 2, 3, 4]);
        Assert.Equal([1, 2, 3, 4], Read(flash, 0, 4));
    }

    [Fact]
    public void Out_of_range_accesses_and_erases_off_a_sector_start_are_refused()
    {
        using var flash = FileBackedFlash.Create(PathOf("r.flash"), Geometry(1));
        Assert.Throws<FlashOutOfRangeException>(() => flash.Program(4 * 4096 - 1, [1, 2]));
        Assert.Throws<FlashOutOfRangeException>(() => flash.Read(-1, new byte[1]));
        Assert.Throws<FlashOutOfRangeException>(() => flash.Read(4 * 4096, new byte[1]));
        Assert.Throws<FlashAlignmentException>(() => flash.EraseSector(100));
        Assert.Throws<FlashOutOfRangeException>(() => flash.EraseSector(4 * 4096));
    }

    [Fact]
    public void Content_and_erase_counts_survive_closing_and_reopening_on_a_mixed_sector_part()
    {
        var path = PathOf("mixed.flash");
        var geometry = FlashProfile.Stm32F4Mixed.CreateGeometry(300 * 1024, writeAlignment: 8, erasedValue: 0x00);
        var data = TestImages.Random(64, seed: 3);
        using (var flash = FileBackedFlash.Create(path, geometry))
        {
            flash.EraseSector(geometry.SectorStart(1));
            flash.EraseSector(geometry.SectorStart(1));
            flash.EraseSector(geometry.SectorStart(5));
            // A program crossing the 16 KiB / 16 KiB sector boundary is still one write in the file.
            flash.Program(16 * 1024 - 32, data);
            flash.Program(geometry.SectorStart(5) + 8, data);
            flash.Sync();
        }
        using var reopened = FileBackedFlash.Open(path);
        Assert.Equal(geometry.SectorSizes, reopened.Geometry.SectorSizes);
        Assert.Equal((8, (byte)0x00, geometry.Endurance), (reopened.Geometry.WriteAlignment, reopened.Geometry.ErasedValue, reopened.Geometry.Endurance));
        Assert.Equal(data, Read(reopened, 16 * 1024 - 32, 64));
        Assert.Equal(data, Read(reopened, geometry.SectorStart(5) + 8, 64));
        Assert.Equal(new[] { 0, 2, 0, 0, 0, 1, 0 }, reopened.EraseCounts);
        var rest = ReadAll(reopened);
        rest.AsSpan(16 * 1024 - 32, 64).Clear();
        rest.AsSpan((int)geometry.SectorStart(5) + 8, 64).Clear();
        Assert.All(rest, b => Assert.Equal(0x00, b)); // everything else still reads erased
    }

    [Fact]
    public void At_the_endurance_limit_an_erase_is_refused_and_changes_nothing_even_after_reopening()
    {
        var path = PathOf("wear.flash");
        using (var flash = FileBackedFlash.Create(path, Geometry(endurance: 3)))
        {
            for (var i = 0; i < 3; i++) flash.EraseSector(4096);
            flash.Program(4096, [1, 2, 3, 4]);
            var e = Assert.Throws<FlashWearOutException>(() => flash.EraseSector(4096));
            Assert.Equal((1, 3), (e.SectorIndex, e.EraseCount));
            Assert.Equal([1, 2, 3, 4], Read(flash, 4096, 4));
        }
        using var reopened = FileBackedFlash.Open(path);
        Assert.Equal(3, reopened.EraseCounts[1]);
        Assert.Throws<FlashWearOutException>(() => reopened.EraseSector(4096));
        reopened.EraseSector(0);
        Assert.Equal(1, reopened.EraseCounts[0]);
    }

    [Fact]
    public void A_second_writer_is_refused_while_the_part_is_open_and_admitted_after_dispose()
    {
        var path = PathOf("busy.flash");
        using (FileBackedFlash.Create(path, Geometry()))
        {
            var e = Assert.Throws<FlashFileInUseException>(() => FileBackedFlash.Open(path));
            Assert.Contains("in use by another process", e.Message);
            Assert.Equal(path, e.FilePath);
        }
        using var again = FileBackedFlash.Open(path);
        Assert.Equal(4, again.Geometry.SectorCount);
    }

    [Fact]
    public void Create_refuses_to_overwrite_an_existing_file()
    {
        var path = PathOf("exists.flash");
        File.WriteAllText(path, "someone's data");
        var e = Assert.Throws<IOException>(() => FileBackedFlash.Create(path, Geometry()));
        Assert.Contains("already exists", e.Message);
        Assert.Equal("someone's data", File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp-*"));
    }

    [Fact]
    public void Create_refuses_parts_above_the_size_limit_without_leaving_a_file()
    {
        var huge = new FlashGeometry(Enumerable.Repeat(256 * 1024, 1025).ToArray(), 1, 0xFF, 10);
        Assert.Throws<ArgumentOutOfRangeException>(() => FileBackedFlash.Create(PathOf("huge.flash"), huge));
        Assert.Empty(Directory.GetFiles(_temp.Path));
    }

    [Fact]
    public void A_disposed_part_refuses_every_operation()
    {
        var flash = FileBackedFlash.Create(PathOf("d.flash"), Geometry());
        flash.Dispose();
        Assert.Throws<ObjectDisposedException>(() => flash.Read(0, new byte[4]));
        Assert.Throws<ObjectDisposedException>(() => flash.Program(0, [1, 2, 3, 4]));
        Assert.Throws<ObjectDisposedException>(() => flash.EraseSector(0));
        Assert.Throws<ObjectDisposedException>(flash.Sync);
    }

    [Fact]
    public void CopyTo_writes_the_file_as_a_kill_would_leave_it_and_refuses_to_overwrite()
    {
        using var flash = FileBackedFlash.Create(PathOf("c.flash"), Geometry());
        flash.Program(0, [9, 9, 9, 9]);
        flash.CopyTo(PathOf("copy.flash"));
        flash.Program(4, [8, 8, 8, 8]);
        Assert.Throws<IOException>(() => flash.CopyTo(PathOf("copy.flash")));
        using var copy = FileBackedFlash.Open(PathOf("copy.flash"));
        Assert.Equal([9, 9, 9, 9, 0xFF, 0xFF, 0xFF, 0xFF], Read(copy, 0, 8));
    }

    [Theory]
    [InlineData("stm32u5")]
    [InlineData("NRF52")]
    [InlineData("spinor")]
    [InlineData("stm32f4-mixed")]
    public void Profiles_are_found_by_name_ignoring_case(string name) =>
        Assert.Equal(name, FlashProfile.Find(name).Name, ignoreCase: true);

    [Fact]
    public void An_unknown_profile_name_is_refused_with_the_list_of_known_names()
    {
        var e = Assert.Throws<ArgumentException>(() => FlashProfile.Find("stm32h7"));
        Assert.Contains("unknown flash profile 'stm32h7'", e.Message);
        Assert.Contains("stm32u5, nrf52, spinor, stm32f4-mixed", e.Message);
    }

    internal static byte[] Read(IFlash flash, long offset, int length)
    {
        var bytes = new byte[length];
        flash.Read(offset, bytes);
        return bytes;
    }
}
