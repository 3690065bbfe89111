using System.IO.Hashing;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using CsCheck;
using AtymSecure.Primitives;

namespace AtymSecure.Bootloader.Tests.State;

public sealed class StateRecordCodecTests
{
    private static readonly DeviceKey Key = TestRecords.GoldenKey;

    [Fact]
    public void Container_records_round_trip()
    {
        foreach (var record in new[] { TestRecords.Confirmed, TestRecords.TrialBooted, ContainerRecord.Empty(5) })
        {
            var entry = new StateLogEntry(StateRecordType.Container, 42, 7, record);
            var bytes = StateRecordCodec.Encode(entry, Key);
            Assert.Equal(StateRecordCodec.RecordSize, bytes.Length);
            Assert.Equal(entry, StateRecordCodec.Decode(bytes, Key));
        }
    }

    [Fact]
    public void Golden_v1_records_decode_and_encode_to_the_committed_bytes()
    {
        // Committed once, kept forever: a later format must still read these.
        foreach (var (file, entry) in new[]
        {
            ("state-record-v1-confirmed.bin", new StateLogEntry(StateRecordType.Container, 42, 7, TestRecords.Confirmed)),
            ("state-record-v1-trial-booted.bin", new StateLogEntry(StateRecordType.Container, 43, 7, TestRecords.TrialBooted)),
            ("state-record-v1-half-header.bin", new StateLogEntry(StateRecordType.HalfHeader, 41, 7, null)),
        })
        {
            var path = Path.Combine(AppContext.BaseDirectory, "Golden", file);
            Assert.True(File.Exists(path), $"golden file {file} is missing from tests/AtymSecure.Bootloader.Tests/Golden");
            var golden = File.ReadAllBytes(path);
            Assert.Equal(entry, StateRecordCodec.Decode(golden, Key));
            Assert.Equal(golden, StateRecordCodec.Encode(entry, Key));
        }
    }

    [Fact]
    public void Negative_golden_torn_record_is_refused()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", "state-record-v1-torn-negative.bin");
        Assert.True(File.Exists(path), "negative golden file is missing");
        var e = Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(File.ReadAllBytes(path), Key));
        Assert.Contains("CRC", e.Message);
    }

    [Fact]
    public void A_record_from_another_device_key_is_invalid()
    {
        var bytes = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 1, 1, TestRecords.Confirmed), Key);
        var e = Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(bytes, DeviceKey.Generate()));
        Assert.Contains("MAC", e.Message);
    }

    [Fact]
    public void Every_single_bit_flip_is_detected()
    {
        var bytes = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 9, 2, TestRecords.TrialBooted), Key);
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(StateRecordCodec.TryDecode(damaged, Key, out _, out var reason), $"bit {bit} flip accepted");
            Assert.NotNull(reason);
        }
    }

    [Fact]
    public void Torn_prefixes_are_never_valid()
    {
        var bytes = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 9, 2, TestRecords.Confirmed), Key);
        for (var n = 0; n < bytes.Length; n++)
        {
            var torn = (byte[])bytes.Clone();
            torn.AsSpan(n).Fill(0xFF);
            Assert.False(StateRecordCodec.TryDecode(torn, Key, out _, out _), $"prefix of {n} bytes accepted");
        }
    }

    [Fact]
    public void Inconsistent_records_are_refused_when_writing()
    {
        var bad = TestRecords.Confirmed with { ConfirmedSlot = SlotId.None };
        var e = Assert.Throws<ArgumentException>(() => StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 1, 1, bad), Key));
        Assert.Contains("needs a confirmed slot", e.Message);
    }

    [Fact]
    public void Short_input_and_wrong_magic_are_clear_errors()
    {
        Assert.Contains("expected 192", Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(new byte[10], Key)).Message);
        Assert.Contains("magic", Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(new byte[192], Key)).Message);
    }

    [Fact]
    public void Fuzz_arbitrary_bytes_never_decode_and_never_throw_anything_else()
    {
        Gen.Byte.Array[0, 400].Sample(bytes =>
        {
            Assert.False(StateRecordCodec.TryDecode(bytes, Key, out _, out _));
        }, iter: 20_000);
    }

    [Fact]
    public void Fuzz_generated_consistent_records_round_trip()
    {
        var genSlot = Gen.Select(Gen.Bool, Gen.UInt[1, 1 << 20], Gen.Byte.Array[32], Gen.UShort, Gen.UInt)
            .Select((verified, size, digest, minor, counter) => new SlotImageInfo(true, verified, size, Digest.FromSha256(digest), new ImageVersion(1, minor, 0), counter));
        var genRecord = Gen.Select(Gen.Int[0, 39], genSlot, genSlot, Gen.Byte[1, 9], Gen.UInt, Gen.UInt)
            .Select((index, a, b, attempts, seq, epoch) => (Record: new ContainerRecord(index, ContainerState.Pending, SlotId.A, SlotId.B, attempts, Math.Min(a.SecurityCounter, 7u), a, b), seq, epoch));
        genRecord.Sample(x =>
        {
            var entry = new StateLogEntry(StateRecordType.Container, x.seq, x.epoch, x.Record);
            Assert.Equal(entry, StateRecordCodec.Decode(StateRecordCodec.Encode(entry, Key), Key));
        }, iter: 2000);
    }

    [Fact]
    public void Fuzz_MACed_records_with_mutated_fields_are_either_consistent_or_refused()
    {
        // Mutate a field, then re-seal with CRC and MAC: the parser must still refuse inconsistent content.
        var good = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 5, 1, TestRecords.TrialBooted), Key);
        Gen.Select(Gen.Int[0, 155], Gen.Byte).Sample((at, value) =>
        {
            var bytes = (byte[])good.Clone();
            bytes[at] = value;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(156), Crc32.HashToUInt32(bytes.AsSpan(0, 156)));
            Key.Mac(bytes.AsSpan(0, 160), bytes.AsSpan(160));
            if (StateRecordCodec.TryDecode(bytes, Key, out var entry, out _) && entry!.Container is { } r)
                Assert.Empty(r.Validate());
        }, iter: 5000);
    }
}
