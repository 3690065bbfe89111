using System.Buffers.Binary;
using System.Security.Cryptography;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.Simulator;

namespace AtymSecure.Bootloader.Tests.Support;

/// <summary>
/// Saves and loads a <see cref="SimulatedNorFlash"/> so a simulated device survives process
/// restarts in tests (the product's persistent flash is device-bootloader/FilePort). Layout (little-endian): "ASFL" magic, u32 version 1, u32 sector count, u32 write
/// alignment, u8 erased value, u32 endurance, u64 operation count, u32 sector sizes[], content,
/// i32 erase counts[], programmed-unit bitmap, SHA-256 over everything before it.
/// Written to a temp file, flushed to disk, then renamed over the old one (never half-written).
/// </summary>
public static class FlashImageFile
{
    private const uint Magic = 0x4C465341; // "ASFL"
    private const uint Version = 1;
    private const int HeaderSize = 4 + 4 + 4 + 4 + 1 + 4 + 8;
    private const long MaxContentBytes = 64L * 1024 * 1024;

    public static void Save(SimulatedNorFlash flash, string path)
    {
        ArgumentNullException.ThrowIfNull(flash);
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtymSecure.Primitives.AtomicFile.Write(path, Serialize(flash));
    }

    public static SimulatedNorFlash Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Deserialize(File.ReadAllBytes(path));
    }

    public static byte[] Serialize(SimulatedNorFlash flash)
    {
        var g = flash.Geometry;
        var content = flash.Content;
        var bitmap = PackBits(flash.ProgrammedUnits);
        var size = HeaderSize + 4 * g.SectorCount + content.Length + 4 * g.SectorCount + bitmap.Length + 32;
        var buffer = new byte[size];
        var span = buffer.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)g.SectorCount);
        BinaryPrimitives.WriteUInt32LittleEndian(span[12..], (uint)g.WriteAlignment);
        span[16] = g.ErasedValue;
        BinaryPrimitives.WriteUInt32LittleEndian(span[17..], (uint)g.Endurance);
        BinaryPrimitives.WriteUInt64LittleEndian(span[21..], (ulong)flash.OperationCount);
        var pos = HeaderSize;
        foreach (var s in g.SectorSizes) { BinaryPrimitives.WriteUInt32LittleEndian(span[pos..], (uint)s); pos += 4; }
        content.CopyTo(span[pos..]); pos += content.Length;
        foreach (var c in flash.EraseCounts) { BinaryPrimitives.WriteInt32LittleEndian(span[pos..], c); pos += 4; }
        bitmap.CopyTo(span[pos..]); pos += bitmap.Length;
        SHA256.HashData(span[..pos], span[pos..]);
        return buffer;
    }

    public static SimulatedNorFlash Deserialize(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < HeaderSize + 32) throw new FlashImageFileException($"flash image file is too short ({bytes.Length} bytes)");
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic) throw new FlashImageFileException("flash image file has a wrong magic");
        var version = BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]);
        if (version != Version) throw new FlashImageFileException($"flash image file version {version} is not supported (expected {Version})");
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(bytes[..^32], hash);
        if (!hash.SequenceEqual(bytes[^32..])) throw new FlashImageFileException("flash image file checksum mismatch (damaged file)");

        var sectorCount = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        var alignment = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[12..]);
        var erased = bytes[16];
        var endurance = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[17..]);
        var ops = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes[21..]);
        if (sectorCount == 0 || sectorCount > 65536) throw new FlashImageFileException($"flash image file has {sectorCount} sectors");
        var pos = HeaderSize;
        if (bytes.Length < pos + 4 * (long)sectorCount) throw new FlashImageFileException("flash image file is truncated in the sector table");
        var sizes = new int[sectorCount];
        for (var i = 0; i < sizes.Length; i++) { sizes[i] = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[pos..]); pos += 4; }

        FlashGeometry geometry;
        try { geometry = new FlashGeometry(sizes, alignment, erased, endurance); }
        catch (ArgumentException e) { throw new FlashImageFileException($"flash image file describes an invalid part: {e.Message}", e); }
        if (geometry.TotalSize > MaxContentBytes) throw new FlashImageFileException($"flash image file part is too large ({geometry.TotalSize} bytes)");

        var units = (int)(geometry.TotalSize / alignment);
        var expected = pos + geometry.TotalSize + 4L * sectorCount + (units + 7) / 8 + 32;
        if (bytes.Length != expected) throw new FlashImageFileException($"flash image file is {bytes.Length} bytes, expected {expected}");

        var data = bytes.Slice(pos, (int)geometry.TotalSize).ToArray(); pos += data.Length;
        var counts = new int[sectorCount];
        for (var i = 0; i < counts.Length; i++) { counts[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes[pos..]); pos += 4; }
        var programmed = UnpackBits(bytes.Slice(pos, (units + 7) / 8), units);
        return new SimulatedNorFlash(geometry, data, programmed, counts, ops);
    }

    private static byte[] PackBits(ReadOnlySpan<bool> bits)
    {
        var packed = new byte[(bits.Length + 7) / 8];
        for (var i = 0; i < bits.Length; i++)
            if (bits[i]) packed[i >> 3] |= (byte)(1 << (i & 7));
        return packed;
    }

    private static bool[] UnpackBits(ReadOnlySpan<byte> packed, int count)
    {
        var bits = new bool[count];
        for (var i = 0; i < count; i++) bits[i] = (packed[i >> 3] & (1 << (i & 7))) != 0;
        return bits;
    }
}
