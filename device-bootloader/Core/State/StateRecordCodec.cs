using AtymSecure.Primitives;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Formats.Container;

namespace AtymSecure.Bootloader.State;

/// <summary>
/// State record wire formats, little-endian (device-bootloader/README.md "State records"). Both start alike:
/// <code>
///   0 u32 magic "ASR1"        4 u8 format version       5 u8 type   6 u16 zero
///   8 u32 sequence           12 u32 epoch of its half  16 u16 container index
///  18 u8 state  19 u8 confirmed slot  20 u8 trial slot  21 u8 attempts left  22 u16 zero
///  24 u32 security floor     28 slot A, then slot B, reserved zero, u32 CRC-32, HMAC-SHA256(device key)
/// </code>
/// v1 (192 B): slots of 52 B at 28 and 80, 24 B zero, CRC of [0,156) at 156, MAC of [0,160) at 160;
/// slot = u8 flags (1 present, 2 verified), 3 B zero, u32 size, u32 security counter, u16 major, u16 minor,
/// u32 patch, 32 B SHA-256. Only major.minor.patch: kept for reading old logs and for layouts too small for v2.
/// v2 (288 B): slots of 108 B at 28 and 136, 8 B zero, CRC of [0,252) at 252, MAC of [0,256) at 256;
/// slot = u8 flags, u8 version length (1..64), u16 zero, u32 size, u32 security counter, 32 B SHA-256,
/// 64 B version (the full SemVer as ASCII, zero padded; <see cref="SemanticVersion.MaxLength"/>).
/// The CRC catches torn writes cheaply; the MAC makes noise or forged records invalid. Bytes from flash are
/// untrusted: decoding checks every field, never trusts a length, and refuses non-canonical encodings.
/// </summary>
public static class StateRecordCodec
{
    public const uint Magic = 0x31525341; // "ASR1": every format version; the byte after it says which
    public const StateRecordFormat CurrentFormat = StateRecordFormat.V2;

    /// <summary>Size of the largest format: what a reader fetches before it knows the format.</summary>
    public const int MaxRecordSize = 288;

    private const int SlotAOffset = 28;

    /// <summary>Where a v2 slot's version text starts (after its SHA-256).</summary>
    private const int V2SlotVersion = 44;

    private static readonly Layout V1 = new(StateRecordFormat.V1, Size: 192, SlotSize: 52, SlotDigest: 20, Crc: 156);
    private static readonly Layout V2 = new(StateRecordFormat.V2, Size: 288, SlotSize: 108, SlotDigest: 12, Crc: 252);

    public static int RecordSize(StateRecordFormat format) =>
        LayoutOf(format) is { } layout ? layout.Size : throw new ArgumentOutOfRangeException(nameof(format), format, "unknown state record format");

    public static byte[] Encode(StateLogEntry entry, DeviceKey key, StateRecordFormat format = CurrentFormat)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(key);
        var layout = LayoutOf(format) ?? throw new ArgumentOutOfRangeException(nameof(format), format, "unknown state record format");
        var bytes = new byte[layout.Size];
        var s = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, Magic);
        s[4] = (byte)format;
        s[5] = (byte)entry.Type;
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], entry.Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], entry.Epoch);
        if (entry.Type == StateRecordType.Container)
        {
            var r = entry.Container ?? throw new ArgumentException("a container record needs its state", nameof(entry));
            var problems = r.Validate().Select(p => p.ToString()).Concat(new[] { r.SlotA, r.SlotB }.Select(i => Unencodable(i, format)).OfType<string>()).ToArray();
            if (problems.Length > 0) throw new ArgumentException("refusing to write an inconsistent record: " + string.Join("; ", problems), nameof(entry));
            BinaryPrimitives.WriteUInt16LittleEndian(s[16..], (ushort)r.ContainerIndex);
            s[18] = (byte)r.State;
            s[19] = (byte)r.ConfirmedSlot;
            s[20] = (byte)r.TrialSlot;
            s[21] = r.AttemptsLeft;
            BinaryPrimitives.WriteUInt32LittleEndian(s[24..], r.SecurityFloor);
            WriteSlot(s.Slice(layout.SlotA, layout.SlotSize), r.SlotA, layout);
            WriteSlot(s.Slice(layout.SlotB, layout.SlotSize), r.SlotB, layout);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(s[layout.Crc..], Crc32.HashToUInt32(s[..layout.Crc]));
        key.Mac(s[..layout.Mac], s[layout.Mac..]);
        return bytes;
    }

    /// <summary>Why <paramref name="format"/> cannot hold the image's version (null when it can).</summary>
    public static string? Unencodable(SlotImageInfo info, StateRecordFormat format)
    {
        if (!info.Present) return null;
        if (info.Version is not { } v) return "a present slot needs its version";
        if (format == StateRecordFormat.V1 && (v.IsPrerelease || v.Build.Count > 0 || v.Major > ushort.MaxValue || v.Minor > ushort.MaxValue || v.Patch > uint.MaxValue))
            return $"version {v} does not fit a v1 state record (u16.u16.u32, no pre-release or build metadata)";
        return null;
    }

    /// <summary>The format version a record says it has (byte 4), or null when the bytes are too short to say.</summary>
    public static StateRecordFormat? FormatOf(ReadOnlySpan<byte> bytes) =>
        bytes.Length > 4 && Enum.IsDefined((StateRecordFormat)bytes[4]) ? (StateRecordFormat)bytes[4] : null;

    /// <summary>
    /// True when the bytes start with a record whose magic, format and CRC-32 are right, whatever its MAC says: a record
    /// this bootloader wrote (and not erased flash or a torn write). Recovery uses it to tell a damaged log, or one
    /// MACed with another key, from a fresh part.
    /// </summary>
    public static bool HasIntactCrc(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 5 || BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic) return false;
        if (LayoutOf((StateRecordFormat)bytes[4]) is not { } layout || bytes.Length < layout.Size) return false;
        return BinaryPrimitives.ReadUInt32LittleEndian(bytes[layout.Crc..]) == Crc32.HashToUInt32(bytes[..layout.Crc]);
    }

    /// <summary>True when every byte equals the erased value (an unused log slot).</summary>
    public static bool IsErased(ReadOnlySpan<byte> bytes, byte erasedValue) => !bytes.ContainsAnyExcept(erasedValue);

    /// <summary>Decodes one record of either format; throws <see cref="StateRecordException"/> saying why the bytes are not one.</summary>
    public static StateLogEntry Decode(ReadOnlySpan<byte> bytes, DeviceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (bytes.Length < V1.Size) throw new StateRecordException($"record is {bytes.Length} bytes, shorter than any format (v1 {V1.Size}, v2 {V2.Size})");
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        if (magic != Magic) throw new StateRecordException($"magic 0x{magic:X8} is not a state record");
        var layout = LayoutOf((StateRecordFormat)bytes[4]) ?? throw new StateRecordException($"format version {bytes[4]} is not supported");
        if (bytes.Length < layout.Size) throw new StateRecordException($"record is {bytes.Length} bytes, a v{(byte)layout.Format} record is {layout.Size}");
        var s = bytes[..layout.Size];
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(s[layout.Crc..]);
        if (crc != Crc32.HashToUInt32(s[..layout.Crc])) throw new StateRecordException("CRC mismatch (torn or damaged record)");
        if (!key.VerifyMac(s[..layout.Mac], s[layout.Mac..])) throw new StateRecordException("MAC mismatch (record not written with this device key)");

        var type = (StateRecordType)s[5];
        if (BinaryPrimitives.ReadUInt16LittleEndian(s[6..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(s[22..]) != 0 || s[layout.ReservedStart..layout.Crc].ContainsAnyExcept((byte)0))
            throw new StateRecordException("reserved bytes are not zero");
        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
        var epoch = BinaryPrimitives.ReadUInt32LittleEndian(s[12..]);
        switch (type)
        {
            case StateRecordType.HalfHeader:
                if (s[16..layout.ReservedStart].ContainsAnyExcept((byte)0)) throw new StateRecordException("half header carries container data");
                return new StateLogEntry(type, sequence, epoch, null);
            case StateRecordType.Container:
                var record = new ContainerRecord(
                    BinaryPrimitives.ReadUInt16LittleEndian(s[16..]),
                    (ContainerState)s[18],
                    (SlotId)s[19],
                    (SlotId)s[20],
                    s[21],
                    BinaryPrimitives.ReadUInt32LittleEndian(s[24..]),
                    ReadSlot(s.Slice(layout.SlotA, layout.SlotSize), layout),
                    ReadSlot(s.Slice(layout.SlotB, layout.SlotSize), layout));
                var problems = record.Validate();
                if (problems.Count > 0) throw new StateRecordException("inconsistent record: " + string.Join("; ", problems));
                return new StateLogEntry(type, sequence, epoch, record);
            default:
                throw new StateRecordException($"unknown record type {(byte)type}");
        }
    }

    /// <summary>Decode without exceptions (scanning a log); <paramref name="reason"/> says why not.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, DeviceKey key, out StateLogEntry? entry, out string? reason)
    {
        try
        {
            entry = Decode(bytes, key);
            reason = null;
            return true;
        }
        catch (StateRecordException e)
        {
            entry = null;
            reason = e.Message;
            return false;
        }
    }

    /// <summary>The layout of <paramref name="format"/>; null for a format this codec does not know.</summary>
    private static Layout? LayoutOf(StateRecordFormat format) => format switch
    {
        StateRecordFormat.V1 => V1,
        StateRecordFormat.V2 => V2,
        _ => null,
    };

    private static void WriteSlot(Span<byte> s, SlotImageInfo info, Layout layout)
    {
        if (!info.Present) return;
        var v = info.Version!;
        s[0] = (byte)(1 | (info.Verified ? 2 : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], info.Size);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], info.SecurityCounter);
        info.Digest.WriteTo(s[layout.SlotDigest..]);
        if (layout.Format == StateRecordFormat.V1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(s[12..], (ushort)v.Major);
            BinaryPrimitives.WriteUInt16LittleEndian(s[14..], (ushort)v.Minor);
            BinaryPrimitives.WriteUInt32LittleEndian(s[16..], (uint)v.Patch);
            return;
        }
        var text = v.ToString();
        s[1] = (byte)text.Length;
        Encoding.ASCII.GetBytes(text, s.Slice(V2SlotVersion, SemanticVersion.MaxLength));
    }

    private static SlotImageInfo ReadSlot(ReadOnlySpan<byte> s, Layout layout)
    {
        var flags = s[0];
        var format = layout.Format;
        var reservedStart = format == StateRecordFormat.V1 ? 1 : 2;
        if ((flags & ~3) != 0 || s[reservedStart..4].ContainsAnyExcept((byte)0)) throw new StateRecordException($"slot flags 0x{flags:X2} or reserved bytes invalid");
        if ((flags & 1) == 0)
        {
            if (s.ContainsAnyExcept((byte)0)) throw new StateRecordException("absent slot carries image details");
            return SlotImageInfo.Absent;
        }
        var size = BinaryPrimitives.ReadUInt32LittleEndian(s[4..]);
        var counter = BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
        var digest = Digest.FromSha256(s.Slice(layout.SlotDigest, Digest.Sha256Size));
        if (format == StateRecordFormat.V1)
        {
            var release = SemanticVersion.Release(BinaryPrimitives.ReadUInt16LittleEndian(s[12..]), BinaryPrimitives.ReadUInt16LittleEndian(s[14..]), BinaryPrimitives.ReadUInt32LittleEndian(s[16..]));
            return new SlotImageInfo(true, (flags & 2) != 0, size, digest, release, counter);
        }
        int length = s[1];
        var field = s.Slice(V2SlotVersion, SemanticVersion.MaxLength);
        if (length is < 1 or > SemanticVersion.MaxLength || field[length..].ContainsAnyExcept((byte)0))
            throw new StateRecordException($"slot version length {length} is outside 1..{SemanticVersion.MaxLength} or its padding is not zero");
        if (field[..length].ContainsAnyExcept(VersionBytes))
            throw new StateRecordException("slot version has bytes outside SemVer's [0-9A-Za-z.+-]");
        var text = Encoding.ASCII.GetString(field[..length]);
        if (!SemanticVersion.TryParse(text, out var version, out var error)) throw new StateRecordException($"slot version '{text}' is not SemVer: {error}");
        return new SlotImageInfo(true, (flags & 2) != 0, size, digest, version, counter);
    }

    private static readonly System.Buffers.SearchValues<byte> VersionBytes =
        System.Buffers.SearchValues.Create("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.+-"u8);

    /// <summary>Where the parts of one format's record lie (the common header is the same in all).</summary>
    private sealed record Layout(StateRecordFormat Format, int Size, int SlotSize, int SlotDigest, int Crc)
    {
        public int SlotA => SlotAOffset;

        public int SlotB => SlotAOffset + SlotSize;

        /// <summary>The zero bytes between slot B and the CRC.</summary>
        public int ReservedStart => SlotB + SlotSize;

        public int Mac => Crc + 4;
    }
}

/// <summary>State record format versions (byte 4 of a record). Values are the on-flash encoding.</summary>
public enum StateRecordFormat : byte
{
    /// <summary>192 bytes, version as u16.u16.u32.</summary>
    V1 = 1,

    /// <summary>288 bytes, version as a full SemVer of at most 64 characters.</summary>
    V2 = 2,
}
