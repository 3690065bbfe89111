using System.Globalization;
using System.Text;
using AtymSecure.Delivery.Swu;

namespace AtymSecure.Delivery.Tests.Swu;

/// <summary>A strict cpio -H crc reader for the tests (the product only writes the format).</summary>
internal static class CpioTestReader
{
    /// <summary>Every entry with its data: every header field, the checksum and the padding are checked.</summary>
    public static List<(string Name, byte[] Data)> Read(byte[] archive)
    {
        var entries = new List<(string, byte[])>();
        var at = 0;
        while (true)
        {
            var header = Encoding.ASCII.GetString(archive, at, 110);
            Assert.Equal(CpioCrcWriter.Magic, header[..6]);
            uint Field(int i) => uint.Parse(header.AsSpan(6 + 8 * i, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            var size = (int)Field(6);
            var nameSize = (int)Field(11);
            var name = Encoding.ASCII.GetString(archive, at + 110, nameSize - 1);
            Assert.Equal(0, archive[at + 110 + nameSize - 1]);
            var dataAt = at + 110 + nameSize;
            Assert.True(dataAt % 4 == 0 || archive.AsSpan(dataAt, (4 - dataAt % 4) % 4).IndexOfAnyExcept((byte)0) < 0);
            dataAt += (4 - dataAt % 4) % 4;
            var data = archive.AsSpan(dataAt, size).ToArray();
            Assert.Equal(Field(12), CpioCrcWriter.Checksum(data));
            entries.Add((name, data));
            at = dataAt + size;
            at += (4 - at % 4) % 4;
            if (name == CpioCrcWriter.TrailerName) break;
            Assert.Equal(0x81A4u, Field(1));
        }
        Assert.Equal(archive.Length, at);
        return entries;
    }
}
