using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using AtymSecure.Bootloader.Flash;
using AtymSecure.Bootloader.State;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Layout;

/// <summary>
/// Wire formats v1 and v2 of the partition table in sector 0 (little-endian; device-bootloader/README.md
/// "Partition table"): u32 magic "ASPT", u8 version, u8 entry count, u16 zero, u32 flash size,
/// then per entry { u8 kind, u8 name length, u16 zero, u32 offset, u32 size, 32 B name, u32 extra },
/// then CRC-32 over everything before it. v2 differs only in allowing one entry of kind 5 (the write-once counter
/// region) whose <c>extra</c> is the counter capacity per container; every other <c>extra</c> is zero, and v1 knows no
/// kind 5. A table without a counter region encodes as v1, so v1 tables stay byte-identical. Bytes from flash are
/// untrusted: every field is bounds-checked and all problems are reported together.
/// </summary>
public static class PartitionTableCodec
{
    public const uint Magic = 0x54505341; // "ASPT"
    /// <summary>The first format: state halves and slots only (floors in the state log).</summary>
    public const byte Version = 1;

    /// <summary>Adds the counter region (issue 11 §2).</summary>
    public const byte VersionWithCounters = 2;
    public const int HeaderSize = 12;
    public const int EntrySize = 48;
    public const int MaxEntries = 3 + 2 * PartitionTable.MaxContainers;

    /// <summary>Largest encoded table (what a reader needs to fetch from flash).</summary>
    public const int MaxEncodedSize = HeaderSize + MaxEntries * EntrySize + 4;

    public static byte[] Encode(PartitionTable table, FlashGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(geometry);
        var problems = table.Validate(geometry);
        if (problems.Count > 0) throw new PartitionTableException(problems);

        var bytes = new byte[HeaderSize + table.Entries.Count * EntrySize + 4];
        var span = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(span, Magic);
        span[4] = table.Version;
        span[5] = (byte)table.Entries.Count;
        BinaryPrimitives.WriteUInt32LittleEndian(span[8..], (uint)geometry.TotalSize);
        for (var i = 0; i < table.Entries.Count; i++)
        {
            var e = table.Entries[i];
            var entry = span.Slice(HeaderSize + i * EntrySize, EntrySize);
            entry[0] = (byte)e.Kind;
            entry[1] = (byte)e.ContainerName.Length;
            BinaryPrimitives.WriteUInt32LittleEndian(entry[4..], (uint)e.Offset);
            BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], (uint)e.Size);
            Encoding.ASCII.GetBytes(e.ContainerName, entry.Slice(12, PartitionTable.MaxNameLength));
            if (e.Kind == PartitionKind.CounterStore) BinaryPrimitives.WriteUInt32LittleEndian(entry[44..], (uint)table.CounterCapacity);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(span[^4..], Crc32.HashToUInt32(span[..^4]));
        return bytes;
    }

    /// <summary>Parses and validates a table read from flash; throws <see cref="PartitionTableException"/> listing every problem.</summary>
    public static PartitionTable Decode(ReadOnlySpan<byte> bytes, FlashGeometry geometry)
    {
        ArgumentNullException.ThrowIfNull(geometry);
        if (bytes.Length < HeaderSize + 4)
            throw new PartitionTableException(PartitionTableProblemCodes.Truncated, "$", $"table is {bytes.Length} bytes, shorter than the {HeaderSize + 4}-byte minimum");
        var problems = new List<Problem>();
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (magic != Magic) throw new PartitionTableException(PartitionTableProblemCodes.NoTable, "magic", $"magic is 0x{magic:X8}, expected 0x{Magic:X8} (no partition table provisioned?)");
        var version = bytes[4];
        if (version is not (Version or VersionWithCounters))
            throw new PartitionTableException(PartitionTableProblemCodes.UnsupportedVersion, "version", $"version {version} is not supported (expected {Version} or {VersionWithCounters})");

        int count = bytes[5];
        if (count > MaxEntries) problems.Add(new(PartitionTableProblemCodes.TooManyEntries, "count", $"entry count {count} exceeds the maximum {MaxEntries}"));
        var length = HeaderSize + Math.Min(count, MaxEntries) * EntrySize + 4;
        if (bytes.Length < length) throw new PartitionTableException([.. problems, new(PartitionTableProblemCodes.Truncated, "$", $"table needs {length} bytes but only {bytes.Length} are available")]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(bytes[6..]) != 0) problems.Add(new(PartitionTableProblemCodes.NonZeroReserved, "reserved", "header reserved bytes are not zero"));
        var flashSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]);
        if (flashSize != geometry.TotalSize) problems.Add(new(PartitionTableProblemCodes.WrongFlashSize, "flashSize", $"table is for a {flashSize}-byte part, this part has {geometry.TotalSize} bytes"));
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(bytes[(length - 4)..]);
        var actual = Crc32.HashToUInt32(bytes[..(length - 4)]);
        if (crc != actual) throw new PartitionTableException([.. problems, new(PartitionTableProblemCodes.CrcMismatch, "crc", $"CRC-32 is 0x{crc:X8}, computed 0x{actual:X8} (damaged table)")]);

        var entries = new List<Partition>();
        var capacity = 0;
        for (var i = 0; i < Math.Min(count, MaxEntries); i++)
        {
            var entry = bytes.Slice(HeaderSize + i * EntrySize, EntrySize);
            int nameLength = entry[1];
            if (nameLength > PartitionTable.MaxNameLength) { problems.Add(new(PartitionTableProblemCodes.NameTooLong, $"entries[{i}].nameLength", $"name length {nameLength} exceeds {PartitionTable.MaxNameLength}")); continue; }
            var kind = (PartitionKind)entry[0];
            var isCounterRegion = kind == PartitionKind.CounterStore && version == VersionWithCounters;
            if (kind == PartitionKind.CounterStore && version == Version)
                problems.Add(new(PartitionTableProblemCodes.UnknownKind, $"entries[{i}].kind", $"kind {(byte)kind} (counter region) needs table version {VersionWithCounters}"));
            var extra = BinaryPrimitives.ReadUInt32LittleEndian(entry[44..]);
            if (BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]) != 0 || (!isCounterRegion && extra != 0))
                problems.Add(new(PartitionTableProblemCodes.NonZeroReserved, $"entries[{i}].reserved", "reserved bytes are not zero"));
            if (isCounterRegion)
            {
                if (extra is < SecurityCounterStore.MinCapacity or > SecurityCounterStore.MaxCapacity)
                    problems.Add(new(PartitionTableProblemCodes.CounterCapacity, $"entries[{i}].capacity", $"counter capacity {extra} is outside {SecurityCounterStore.MinCapacity}..{SecurityCounterStore.MaxCapacity}"));
                else capacity = (int)extra;
            }
            var nameBytes = entry.Slice(12, PartitionTable.MaxNameLength);
            if (nameBytes[nameLength..].ContainsAnyExcept((byte)0)) problems.Add(new(PartitionTableProblemCodes.NonZeroReserved, $"entries[{i}].name", "bytes after the name are not zero"));
            var name = Encoding.ASCII.GetString(nameBytes[..nameLength]);
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
            entries.Add(new Partition(kind, name, offset, size));
        }

        var table = new PartitionTable(entries, capacity);
        // A capacity already refused above would only repeat as "capacity without a region".
        problems.AddRange(table.Validate(geometry).Where(p => !(p.Code == PartitionTableProblemCodes.CounterCapacity && capacity == 0)));
        if (problems.Count > 0) throw new PartitionTableException(problems);
        return table;
    }
}
