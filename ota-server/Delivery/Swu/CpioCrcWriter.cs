using System.Globalization;
using System.Text;

namespace AtymSecure.Delivery.Swu;

/// <summary>
/// A writer of the one archive format SWUpdate reads: cpio "new ASCII with checksum" (<c>cpio -H crc</c>, magic
/// <c>070702</c>). Each entry is a 110-byte header of thirteen 8-digit hex fields (inode, mode, uid, gid, nlink, mtime,
/// file size, four device numbers, name size including its NUL, and the checksum: the sum of every data byte modulo
/// 2^32), the NUL-terminated name, padding to 4 bytes, the data, padding to 4; the archive ends with the entry
/// <c>TRAILER!!!</c>. The checksum is in the header, so the caller gives it (<see cref="Checksum"/>) and the data is then
/// streamed once and checked against it and the length as it passes: a source that changes between the hashing pass and
/// the writing pass fails the write (<see cref="InvalidDataException"/>) instead of producing an archive SWUpdate refuses.
/// Entries are regular files, mode 0644, owner 0, mtime 0: the same inputs give the same bytes.
/// </summary>
public sealed class CpioCrcWriter
{
    public const string Magic = "070702";

    public const string TrailerName = "TRAILER!!!";

    /// <summary>The size field has 8 hex digits: no entry can reach 4 GiB.</summary>
    public const long MaxEntryBytes = uint.MaxValue;

    /// <summary>Longest entry name (SWUpdate's own limit on image file names is 255 bytes).</summary>
    public const int MaxNameBytes = 255;

    private const int HeaderBytes = 110;
    private const uint RegularFileMode = 0x8000 | 0x1A4; // S_IFREG | 0644

    private readonly Stream _output;
    private uint _nextInode = 1;
    private bool _finished;

    public CpioCrcWriter(Stream output)
    {
        _output = output ?? throw new ArgumentNullException(nameof(output));
        if (!output.CanWrite) throw new ArgumentException("the output is not writable", nameof(output));
    }

    /// <summary>The cpio checksum of <paramref name="data"/> (the sum of its bytes modulo 2^32).</summary>
    public static uint Checksum(ReadOnlySpan<byte> data, uint running = 0)
    {
        foreach (var b in data) running += b;
        return running;
    }

    /// <summary>Writes one regular file of <paramref name="length"/> bytes read from <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentException">A name that is empty, too long, not a plain file name, or a length out of range.</exception>
    /// <exception cref="InvalidDataException">The data is not <paramref name="length"/> bytes or its checksum is not <paramref name="checksum"/>.</exception>
    public void WriteEntry(string name, long length, uint checksum, Stream data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (_finished) throw new InvalidOperationException("the archive is finished");
        CheckName(name);
        if (length is < 0 or > MaxEntryBytes) throw new ArgumentOutOfRangeException(nameof(length), length, $"an entry holds 0 to {MaxEntryBytes} bytes");
        WriteHeader(name, _nextInode++, RegularFileMode, (uint)length, checksum);
        var buffer = new byte[81920];
        long copied = 0;
        uint sum = 0;
        int read;
        while ((read = data.Read(buffer, 0, (int)Math.Min(buffer.Length, length - copied + 1))) > 0)
        {
            copied += read;
            if (copied > length) throw new InvalidDataException($"cpio entry {name}: the data is longer than the {length} bytes announced");
            sum = Checksum(buffer.AsSpan(0, read), sum);
            _output.Write(buffer, 0, read);
        }
        if (copied != length) throw new InvalidDataException($"cpio entry {name}: {copied} bytes of data, {length} announced");
        if (sum != checksum) throw new InvalidDataException($"cpio entry {name}: checksum {sum:X8}, {checksum:X8} announced (the source changed while the archive was written)");
        Pad(length);
    }

    /// <summary>Writes a file held in memory.</summary>
    public void WriteEntry(string name, ReadOnlySpan<byte> data)
    {
        using var stream = new MemoryStream(data.ToArray(), writable: false);
        WriteEntry(name, data.Length, Checksum(data), stream);
    }

    /// <summary>Writes the trailer entry; nothing can be added afterwards.</summary>
    public void Finish()
    {
        if (_finished) return;
        WriteHeader(TrailerName, 0, 0, 0, 0);
        _finished = true;
        _output.Flush();
    }

    private void WriteHeader(string name, uint inode, uint mode, uint size, uint checksum)
    {
        var nameBytes = Encoding.ASCII.GetBytes(name);
        var header = new StringBuilder(HeaderBytes).Append(Magic);
        foreach (var field in (ReadOnlySpan<uint>)[inode, mode, 0, 0, 1, 0, size, 0, 0, 0, 0, (uint)nameBytes.Length + 1, checksum])
            header.Append(field.ToString("X8", CultureInfo.InvariantCulture));
        _output.Write(Encoding.ASCII.GetBytes(header.ToString()));
        _output.Write(nameBytes);
        _output.WriteByte(0);
        Pad(HeaderBytes + nameBytes.Length + 1);
    }

    private void Pad(long written)
    {
        var pad = (int)((4 - written % 4) % 4);
        if (pad > 0) _output.Write(new byte[pad]);
    }

    /// <summary>A plain file name of printable ASCII, no '/', no NUL, not "." or ".." and not the trailer's name.</summary>
    private static void CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name.Length > MaxNameBytes) throw new ArgumentException($"cpio entry name is {name.Length} bytes, above {MaxNameBytes}", nameof(name));
        if (name is "." or ".." or TrailerName || name.Any(c => c is < '!' or > '~' or '/'))
            throw new ArgumentException($"'{name}' is not a plain file name of printable ASCII", nameof(name));
    }
}
