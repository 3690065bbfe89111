using System.Buffers.Binary;
using System.IO.Hashing;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.State;

/// <summary>
/// State record wire format v1: 192 bytes, little-endian (device-bootloader/README.md "State records").
/// <code>
///   0 u32 magic "ASR1"        4 u8 format version (1)   5 u8 type   6 u16 zero
///   8 u32 sequence           12 u32 epoch of its half  16 u16 container index
///  18 u8 state  19 u8 confirmed slot  20 u8 trial slot  21 u8 attempts left  22 u16 zero
///  24 u32 security floor     28 slot A (52 B)          80 slot B (52 B)      132 24 B zero
/// 156 u32 CRC-32 of [0,156) 160 HMAC-SHA256(device key, [0,160))
/// slot: u8 flags (1 present, 2 verified), 3 B zero, u32 size, u32 security counter,
///       u16 major, u16 minor, u32 patch, 32 B SHA-256
/// </code>
/// The CRC catches torn writes cheaply; the MAC makes noise or forged records invalid.
/// Bytes from flash are untrusted: decoding checks every field and never trusts a length.
/// </summary>
public static class StateRecordCodec
{
    public const uint Magic = 0x31525341; // "ASR1"
    public const byte FormatVersion = 1;
    public const int RecordSize = 192;
    private const int SlotInfoSize = 52;
    private const int CrcOffset = 156;
    private const int MacOffset = 160;

    public static byte[] Encode(StateLogEntry entry, DeviceKey key)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(key);
        var bytes = new byte[RecordSize];
        var s = bytes.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(s, Magic);
        s[4] = FormatVersion;
        s[5] = (byte)entry.Type;
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], entry.Sequence);
        BinaryPrimitives.WriteUInt32LittleEndian(s[12..], entry.Epoch);
        if (entry.Type == StateRecordType.Container)
        {
            var r = entry.Container ?? throw new ArgumentException("a container record needs its state", nameof(entry));
            var problems = r.Validate();
            if (problems.Count > 0) throw new ArgumentException("refusing to write an inconsistent record: " + string.Join("; ", problems), nameof(entry));
            BinaryPrimitives.WriteUInt16LittleEndian(s[16..], (ushort)r.ContainerIndex);
            s[18] = (byte)r.State;
            s[19] = (byte)r.ConfirmedSlot;
            s[20] = (byte)r.TrialSlot;
            s[21] = r.AttemptsLeft;
            BinaryPrimitives.WriteUInt32LittleEndian(s[24..], r.SecurityFloor);
            WriteSlot(s.Slice(28, SlotInfoSize), r.SlotA);
            WriteSlot(s.Slice(80, SlotInfoSize), r.SlotB);
        }
        BinaryPrimitives.WriteUInt32LittleEndian(s[CrcOffset..], Crc32.HashToUInt32(s[..CrcOffset]));
        key.Mac(s[..MacOffset], s[MacOffset..]);
        return bytes;
    }

    /// <summary>True when every byte equals the erased value (an unused log slot).</summary>
    public static bool IsErased(ReadOnlySpan<byte> bytes, byte erasedValue) => !bytes.ContainsAnyExcept(erasedValue);

    /// <summary>Decodes one record; throws <see cref="StateRecordException"/> saying why the bytes are not one.</summary>
    public static StateLogEntry Decode(ReadOnlySpan<byte> bytes, DeviceKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (bytes.Length < RecordSize) throw new StateRecordException($"record is {bytes.Length} bytes, expected {RecordSize}");
        var s = bytes[..RecordSize];
        var magic = BinaryPrimitives.ReadUInt32LittleEndian(s);
        if (magic != Magic) throw new StateRecordException($"magic 0x{magic:X8} is not a state record");
        if (s[4] != FormatVersion) throw new StateRecordException($"format version {s[4]} is not supported");
        var crc = BinaryPrimitives.ReadUInt32LittleEndian(s[CrcOffset..]);
        if (crc != Crc32.HashToUInt32(s[..CrcOffset])) throw new StateRecordException("CRC mismatch (torn or damaged record)");
        if (!key.VerifyMac(s[..MacOffset], s[MacOffset..])) throw new StateRecordException("MAC mismatch (record not written with this device key)");

        var type = (StateRecordType)s[5];
        if (BinaryPrimitives.ReadUInt16LittleEndian(s[6..]) != 0 || BinaryPrimitives.ReadUInt16LittleEndian(s[22..]) != 0 || s[132..CrcOffset].ContainsAnyExcept((byte)0))
            throw new StateRecordException("reserved bytes are not zero");
        var sequence = BinaryPrimitives.ReadUInt32LittleEndian(s[8..]);
        var epoch = BinaryPrimitives.ReadUInt32LittleEndian(s[12..]);
        switch (type)
        {
            case StateRecordType.HalfHeader:
                if (s[16..132].ContainsAnyExcept((byte)0)) throw new StateRecordException("half header carries container data");
                return new StateLogEntry(type, sequence, epoch, null);
            case StateRecordType.Container:
                var record = new ContainerRecord(
                    BinaryPrimitives.ReadUInt16LittleEndian(s[16..]),
                    (ContainerState)s[18],
                    (SlotId)s[19],
                    (SlotId)s[20],
                    s[21],
                    BinaryPrimitives.ReadUInt32LittleEndian(s[24..]),
                    ReadSlot(s.Slice(28, SlotInfoSize)),
                    ReadSlot(s.Slice(80, SlotInfoSize)));
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

    private static void WriteSlot(Span<byte> s, SlotImageInfo info)
    {
        if (!info.Present) return;
        s[0] = (byte)(1 | (info.Verified ? 2 : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], info.Size);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], info.SecurityCounter);
        BinaryPrimitives.WriteUInt16LittleEndian(s[12..], info.Version.Major);
        BinaryPrimitives.WriteUInt16LittleEndian(s[14..], info.Version.Minor);
        BinaryPrimitives.WriteUInt32LittleEndian(s[16..], info.Version.Patch);
        info.Digest.WriteTo(s[20..]);
    }

    private static SlotImageInfo ReadSlot(ReadOnlySpan<byte> s)
    {
        var flags = s[0];
        if ((flags & ~3) != 0 || s[1..4].ContainsAnyExcept((byte)0)) throw new StateRecordException($"slot flags 0x{flags:X2} or reserved bytes invalid");
        if ((flags & 1) == 0)
        {
            if (s.ContainsAnyExcept((byte)0)) throw new StateRecordException("absent slot carries image details");
            return SlotImageInfo.Absent;
        }
        return new SlotImageInfo(
            true,
            (flags & 2) != 0,
            BinaryPrimitives.ReadUInt32LittleEndian(s[4..]),
            Digest.FromSha256(s.Slice(20, Digest.Sha256Size)),
            new ImageVersion(BinaryPrimitives.ReadUInt16LittleEndian(s[12..]), BinaryPrimitives.ReadUInt16LittleEndian(s[14..]), BinaryPrimitives.ReadUInt32LittleEndian(s[16..])),
            BinaryPrimitives.ReadUInt32LittleEndian(s[8..]));
    }
}
