using System.Formats.Tar;
using AtymSecure.Cli.Ota;
using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Ota;

/// <summary>Unpacking the server's export tar: the layout's regular files only; anything that could write elsewhere is refused before a byte is written.</summary>
public sealed class OfflineExportVerbTests : IDisposable
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
        var count = OfflineExportVerb.Unpack(Tar(("director/1.root.json", TarEntryType.RegularFile), ("director/targets.json", TarEntryType.RegularFile),
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
        Assert.Throws<InvalidDataException>(() => OfflineExportVerb.Unpack(tar, null));
        Assert.False(File.Exists(_folder.File("escape.json")));
    }
}
