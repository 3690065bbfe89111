using System.Formats.Tar;
using AtymSecure.Formats.UpdateMetadata.Offline;
using AtymSecure.TestSupport;
using CsCheck;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Offline;

/// <summary>An export tar (the server's answer, a DDI artifact, what an .swu drops in a gateway's inbox): the layout's regular files only; anything that could write elsewhere is refused before a byte is written.</summary>
public sealed class OfflineExportArchiveTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("offline-export-tar");

    public void Dispose() => _folder.Dispose();

    private string Tar(params (string Name, TarEntryType Type)[] entries)
    {
        var path = _folder.File($"export-{Guid.NewGuid():N}.tar");
        using var file = File.Create(path);
        using var writer = new TarWriter(file, TarEntryFormat.Pax);
        foreach (var (name, type) in entries)
        {
            var entry = new PaxTarEntry(type, name);
            if (type == TarEntryType.SymbolicLink) entry.LinkName = "/etc/passwd";
            if (type == TarEntryType.RegularFile) entry.DataStream = new MemoryStream("{}"u8.ToArray());
            writer.WriteEntry(entry);
        }
        return path;
    }

    [Fact]
    public void The_export_layout_unpacks()
    {
        var target = _folder.Folder("ok");
        var count = OfflineExportArchive.Unpack(Tar(("director/1.root.json", TarEntryType.RegularFile), ("director/targets.json", TarEntryType.RegularFile),
            ("image/timestamp.json", TarEntryType.RegularFile), ("bundles/sensor-filter/" + new string('a', 64) + ".bundle", TarEntryType.RegularFile)), target);
        Assert.Equal(4, count);
        Assert.True(File.Exists(Path.Combine(target, "bundles", "sensor-filter", new string('a', 64) + ".bundle")));
    }

    [Theory]
    [InlineData("../escape.json", TarEntryType.RegularFile)]
    [InlineData("director/../../escape.json", TarEntryType.RegularFile)]
    [InlineData("/etc/escape.json", TarEntryType.RegularFile)]
    [InlineData("etc/passwd", TarEntryType.RegularFile)]
    [InlineData("director/.hidden", TarEntryType.RegularFile)]
    [InlineData("bundles/x.bundle", TarEntryType.RegularFile)]
    [InlineData("director/link.json", TarEntryType.SymbolicLink)]
    [InlineData("image", TarEntryType.Directory)]
    public void A_hostile_entry_is_refused_and_nothing_is_unpacked(string name, TarEntryType type)
    {
        var tar = Tar(("director/1.root.json", TarEntryType.RegularFile), (name, type));
        Assert.Throws<InvalidDataException>(() => OfflineExportArchive.Check(tar));
        Assert.False(File.Exists(_folder.File("escape.json")));
    }

    [Fact]
    public void A_name_twice_an_empty_archive_and_a_non_empty_folder_are_refused()
    {
        Assert.Throws<InvalidDataException>(() => OfflineExportArchive.Check(Tar(("director/1.root.json", TarEntryType.RegularFile), ("director/1.root.json", TarEntryType.RegularFile))));
        Assert.Throws<InvalidDataException>(() => OfflineExportArchive.Check(Tar()));
        var busy = _folder.Folder("busy");
        File.WriteAllText(Path.Combine(busy, "x"), "x");
        Assert.Throws<IOException>(() => OfflineExportArchive.Unpack(Tar(("director/1.root.json", TarEntryType.RegularFile)), busy));
    }

    [Fact]
    public void A_truncated_archive_is_refused_and_nothing_is_unpacked()
    {
        var whole = File.ReadAllBytes(Tar(("director/1.root.json", TarEntryType.RegularFile), ("image/timestamp.json", TarEntryType.RegularFile)));
        var cut = _folder.Write("cut.tar", whole[..(whole.Length / 3)]);
        var target = _folder.File("cut-out");
        Assert.Throws<InvalidDataException>(() => OfflineExportArchive.Unpack(cut, target));
        Assert.False(Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any());
    }

    /// <summary>
    /// A header number in base-256 form wider than its field's type: TarReader overflows on it, which the
    /// fuzz below found (seed 9Y6e1MNtCdd1, bytes set to 255 in the second header's uid and gid); it is refused like any other damage.
    /// </summary>
    [Theory]
    [InlineData(108)] // uid
    [InlineData(116)] // gid
    [InlineData(124)] // size
    [InlineData(136)] // mtime
    public void A_base256_header_number_out_of_range_is_refused(int field)
    {
        var damaged = File.ReadAllBytes(Tar(("director/1.root.json", TarEntryType.RegularFile)));
        // Base-256, positive (0x80), then all ones: a value far wider than the field's int or long.
        damaged.AsSpan(field, field is 124 or 136 ? 12 : 8).Fill(0xFF);
        damaged[field] = 0x80;
        var file = _folder.Write($"base256-{field}.tar", damaged);
        var target = _folder.File($"base256-{field}-out");
        var e = Assert.Throws<InvalidDataException>(() => OfflineExportArchive.Unpack(file, target));
        Assert.False(Directory.Exists(target), e.Message);
    }

    /// <summary>Damaged archives (bytes flipped, cut, spliced): refused with InvalidDataException or unpacked inside the folder, never anything else.</summary>
    [Fact]
    public void A_damaged_archive_is_refused_or_stays_inside_its_folder()
    {
        var whole = File.ReadAllBytes(Tar(("director/1.root.json", TarEntryType.RegularFile), ("bundles/c/" + new string('b', 64) + ".bundle", TarEntryType.RegularFile)));
        Gen.Select(Gen.Int[0, whole.Length - 1].Array[1, 8], Gen.Byte, Gen.Int[1, whole.Length]).Sample((positions, value, length) =>
        {
            var damaged = (byte[])whole.Clone();
            foreach (var p in positions) damaged[p] = value;
            var file = _folder.Write($"damaged-{Guid.NewGuid():N}.tar", damaged[..length]);
            var target = _folder.File($"out-{Guid.NewGuid():N}");
            try
            {
                OfflineExportArchive.Unpack(file, target);
                var root = Path.GetFullPath(target) + Path.DirectorySeparatorChar;
                Assert.All(Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories), f => Assert.StartsWith(root, Path.GetFullPath(f)));
            }
            catch (InvalidDataException)
            {
                Assert.False(Directory.Exists(target));
            }
        }, iter: 300);
    }
}
