using AtymSecure.Delivery.Swu;
using CsCheck;

namespace AtymSecure.Delivery.Tests.Swu;

public sealed class CpioCrcWriterTests
{
    private static readonly byte[] Payload = [.. Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 3).SelectMany(b => b), 0xFF, 0xFE, 0xFD];

    /// <summary>Golden/two-entries.cpio was written by an independent writer (a dozen lines of Python, kept beside it as two-entries.py).</summary>
    [Fact]
    public void Writes_the_bytes_of_an_independent_writer()
    {
        var output = new MemoryStream();
        var cpio = new CpioCrcWriter(output);
        cpio.WriteEntry("sw-description", "hello\n"u8);
        cpio.WriteEntry("payload.bin", Payload);
        cpio.Finish();
        Assert.Equal(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Swu", "Golden", "two-entries.cpio")), output.ToArray());
    }

    [Fact]
    public void A_source_that_changed_since_it_was_measured_fails_the_write()
    {
        var cpio = new CpioCrcWriter(new MemoryStream());
        var changed = Assert.Throws<InvalidDataException>(() => cpio.WriteEntry("p", 3, CpioCrcWriter.Checksum("abc"u8), new MemoryStream("abd"u8.ToArray())));
        Assert.Contains("checksum", changed.Message);
        Assert.Throws<InvalidDataException>(() => new CpioCrcWriter(new MemoryStream()).WriteEntry("p", 3, 0, new MemoryStream("abcd"u8.ToArray())));
        Assert.Throws<InvalidDataException>(() => new CpioCrcWriter(new MemoryStream()).WriteEntry("p", 3, 0, new MemoryStream("ab"u8.ToArray())));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("TRAILER!!!")]
    [InlineData("has space")]
    [InlineData("nul\0")]
    [InlineData("é")]
    public void Refuses_a_name_that_is_not_a_plain_file_name(string name) =>
        Assert.ThrowsAny<ArgumentException>(() => new CpioCrcWriter(new MemoryStream()).WriteEntry(name, "x"u8));

    [Fact]
    public void Nothing_is_added_after_the_trailer()
    {
        var cpio = new CpioCrcWriter(new MemoryStream());
        cpio.Finish();
        Assert.Throws<InvalidOperationException>(() => cpio.WriteEntry("late", "x"u8));
    }

    /// <summary>Any names and contents read back entry by entry: magic, fields, checksum, 4-byte alignment, trailer.</summary>
    [Fact]
    public void Every_archive_reads_back_as_written()
    {
        var name = Gen.String[Gen.Char['a', 'z'], 1, 40];
        var entry = Gen.Select(name, Gen.Byte.Array[0, 600]);
        entry.List[1, 6].Where(l => l.Select(e => e.Item1).Distinct().Count() == l.Count).Sample(entries =>
        {
            var output = new MemoryStream();
            var cpio = new CpioCrcWriter(output);
            foreach (var (n, data) in entries) cpio.WriteEntry(n, data);
            cpio.Finish();
            var read = CpioTestReader.Read(output.ToArray());
            Assert.Equal([.. entries.Select(e => e.Item1), CpioCrcWriter.TrailerName], read.Select(r => r.Name));
            for (var i = 0; i < entries.Count; i++) Assert.Equal(entries[i].Item2, read[i].Data);
        }, iter: 200);
    }
}
