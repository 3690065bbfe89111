using System.Buffers.Binary;
using System.IO.Hashing;
using AtymSecure.Bootloader.Flash;

namespace AtymSecure.Bootloader.FilePort;

/// <summary>
/// On-disk layout of a <see cref="FileBackedFlash"/> (all integers little-endian):
/// <code>
///   0  u32  magic "ASFB"
///   4  u32  version (1)
///   8  u32  header length = 36 + 4 * sector count
///  12  u32  sector count (1..65536)
///  16  u32  write alignment
///  20  u32  endurance (erase cycles per sector)
///  24  u8   erased value (0x00 or 0xFF), then 7 reserved zero bytes
///  32  u32  sector sizes[sector count]
///  ..  u32  CRC-32 of every header byte before it
/// then per sector, in address order: i32 erase count, then the sector's content.
/// </code>
/// The header never changes after creation, so it carries a checksum; each erase count sits right
/// before its sector so an erase (count + erased content) is one contiguous write.
/// </summary>
internal sealed class FlashFileLayout
{
    public const uint Magic = 0x42465341; // "ASFB"
    public const uint Version = 1;
    public const int FixedHeaderSize = 32;
    public const int MaxSectors = 65536;
    public const long MaxContentBytes = 256L * 1024 * 1024;
    private const uint SnapshotMagic = 0x4C465341; // "ASFL", the simulator snapshot format of the tests

    private FlashFileLayout(FlashGeometry geometry)
    {
        Geometry = geometry;
        HeaderLength = FixedHeaderSize + 4 * geometry.SectorCount + 4;
        FileLength = HeaderLength + 4L * geometry.SectorCount + geometry.TotalSize;
    }

    public FlashGeometry Geometry { get; }
    public int HeaderLength { get; }
    public long FileLength { get; }

    /// <summary>Layout for a new file; refuses parts above <see cref="MaxContentBytes"/>.</summary>
    public static FlashFileLayout For(FlashGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (geometry.TotalSize > MaxContentBytes)
            throw new ArgumentOutOfRangeException(nameof(geometry), geometry.TotalSize, $"a file-backed flash holds at most {MaxContentBytes} bytes");
        if (geometry.SectorCount > MaxSectors)
            throw new ArgumentOutOfRangeException(nameof(geometry), geometry.SectorCount, $"a file-backed flash has at most {MaxSectors} sectors");
        return new FlashFileLayout(geometry);
    }

    /// <summary>File position of the erase count of <paramref name="sector"/> (its content follows).</summary>
    public long CountPosition(int sector) => HeaderLength + 4L * sector + Geometry.SectorStart(sector);

    /// <summary>File position of flash byte <paramref name="offset"/> (which lies in <paramref name="sector"/>).</summary>
    public long ContentPosition(int sector, long offset) => HeaderLength + 4L * (sector + 1) + offset;

    public byte[] EncodeHeader()
    {
        var header = new byte[HeaderLength];
        var span = header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)HeaderLength);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)Geometry.SectorCount);
        BinaryPrimitives.WriteUInt32LittleEndian(span[16..], (uint)Geometry.WriteAlignment);
        BinaryPrimitives.WriteUInt32LittleEndian(span[20..], (uint)Geometry.Endurance);
        span[24] = Geometry.ErasedValue;
        var pos = FixedHeaderSize;
        foreach (var size in Geometry.SectorSizes) { BinaryPrimitives.WriteUInt32LittleEndian(span[pos..], (uint)size); pos += 4; }
        BinaryPrimitives.WriteUInt32LittleEndian(span[pos..], Crc32.HashToUInt32(span[..pos]));
        return header;
    }

    /// <summary>
    /// Checks the fixed part of a header (first <see cref="FixedHeaderSize"/> bytes) and returns the
    /// full header length to read next. Every problem is a <see cref="FlashImageFileException"/>.
    /// </summary>
    public static int ReadHeaderLength(ReadOnlySpan<byte> fixedPart, long fileLength)
    {
        if (fileLength < FixedHeaderSize + 8)
            throw new FlashImageFileException($"flash file is too short ({fileLength} bytes) to hold a header");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart);
        if (magic == SnapshotMagic)
            throw new FlashImageFileException("flash file is a simulator snapshot (ASFL), not a file-backed flash (ASFB)");
        if (magic != Magic)
            throw new FlashImageFileException($"flash file has a wrong magic 0x{magic:X8} (expected \"ASFB\")");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[4..]);
        if (version != Version)
            throw new FlashImageFileException($"flash file version {version} is not supported (expected {Version})");
        var sectorCount = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[12..]);
        if (sectorCount is 0 or > MaxSectors)
            throw new FlashImageFileException($"flash file header has {sectorCount} sectors (allowed 1..{MaxSectors})");
        var headerLength = BinaryPrimitives.ReadUInt32LittleEndian(fixedPart[8..]);
        if (headerLength != FixedHeaderSize + 4 * sectorCount + 4)
            throw new FlashImageFileException($"flash file header length {headerLength} does not match its {sectorCount} sectors");
        if (fileLength < headerLength)
            throw new FlashImageFileException($"flash file is truncated inside its header ({fileLength} of {headerLength} bytes)");
        return (int)headerLength;
    }

    /// <summary>Validates a full header (checksum, geometry, limits, file length) and returns its layout.</summary>
    public static FlashFileLayout Decode(ReadOnlySpan<byte> header, long fileLength)
    {
        var crcAt = header.Length - 4;
        var stored = BinaryPrimitives.ReadUInt32LittleEndian(header[crcAt..]);
        if (Crc32.HashToUInt32(header[..crcAt]) != stored)
            throw new FlashImageFileException("flash file header checksum mismatch (damaged header)");
        if (header[25..FixedHeaderSize].ContainsAnyExcept((byte)0))
            throw new FlashImageFileException("flash file header has non-zero reserved bytes");

        var sizes = new int[(crcAt - FixedHeaderSize) / 4];
        for (var i = 0; i < sizes.Length; i++)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(header[(FixedHeaderSize + 4 * i)..]);
            sizes[i] = size > int.MaxValue ? -1 : (int)size;
        }
        var alignment = BinaryPrimitives.ReadUInt32LittleEndian(header[16..]);
        var endurance = BinaryPrimitives.ReadUInt32LittleEndian(header[20..]);
        FlashGeometry geometry;
        try
        {
            geometry = new FlashGeometry(sizes, alignment > 64 ? -1 : (int)alignment, header[24], endurance > int.MaxValue ? -1 : (int)endurance);
        }
        catch (ArgumentException e)
        {
            throw new FlashImageFileException($"flash file describes an invalid part: {e.Message}", e);
        }
        if (geometry.TotalSize > MaxContentBytes)
            throw new FlashImageFileException($"flash file part is too large ({geometry.TotalSize} bytes, limit {MaxContentBytes})");

        var layout = new FlashFileLayout(geometry);
        if (fileLength != layout.FileLength)
            throw new FlashImageFileException($"flash file is {fileLength} bytes, expected {layout.FileLength} for its geometry (truncated or extended)");
        return layout;
    }
}
