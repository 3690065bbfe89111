using AtymSecure.Primitives;
using System.Buffers.Binary;
using System.IO.Hashing;
using AtymSecure.Bootloader.Crypto;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Formats.Container;
using CsCheck;

namespace AtymSecure.Bootloader.Tests.State;

public sealed class StateRecordCodecTests
{
    private static readonly DeviceKey Key = TestRecords.GoldenKey;

    public static TheoryData<StateRecordFormat> Formats => [StateRecordFormat.V1, StateRecordFormat.V2];

    /// <summary>Re-seals a mutated record (CRC and MAC) so only the content checks can refuse it.</summary>
    private static void Reseal(byte[] bytes)
    {
        var crc = bytes.Length - 36;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(crc), Crc32.HashToUInt32(bytes.AsSpan(0, crc)));
        Key.Mac(bytes.AsSpan(0, crc + 4), bytes.AsSpan(crc + 4));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Container_records_round_trip(StateRecordFormat format)
    {
        foreach (var record in new[] { TestRecords.Confirmed, TestRecords.TrialBooted, ContainerRecord.Empty(5) })
        {
            var entry = new StateLogEntry(StateRecordType.Container, 42, 7, record);
            var bytes = StateRecordCodec.Encode(entry, Key, format);
            Assert.Equal(StateRecordCodec.RecordSize(format), bytes.Length);
            Assert.Equal((byte)format, bytes[4]);
            Assert.Equal(entry, StateRecordCodec.Decode(bytes, Key));
        }
    }

    [Fact]
    public void New_records_are_v2_of_288_bytes()
    {
        Assert.Equal(StateRecordFormat.V2, StateRecordCodec.CurrentFormat);
        Assert.Equal(288, StateRecordCodec.Encode(new StateLogEntry(StateRecordType.HalfHeader, 1, 1, null), Key).Length);
        Assert.Equal(192, StateRecordCodec.RecordSize(StateRecordFormat.V1));
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
            var golden = GoldenFile.Read(file);
            Assert.Equal(entry, StateRecordCodec.Decode(golden, Key));
            Assert.Equal(golden, StateRecordCodec.Encode(entry, Key, StateRecordFormat.V1));
        }
    }

    [Fact]
    public void Golden_v2_records_decode_and_encode_to_the_committed_bytes()
    {
        foreach (var (file, entry) in new[]
        {
            ("state-record-v2-confirmed.bin", new StateLogEntry(StateRecordType.Container, 42, 7, TestRecords.Confirmed)),
            ("state-record-v2-prerelease-trial.bin", new StateLogEntry(StateRecordType.Container, 44, 8, TestRecords.PrereleaseTrial)),
            ("state-record-v2-longest-version.bin", new StateLogEntry(StateRecordType.Container, 45, 8, TestRecords.LongestVersion)),
            ("state-record-v2-half-header.bin", new StateLogEntry(StateRecordType.HalfHeader, 41, 7, null)),
        })
        {
            var golden = GoldenFile.Read(file);
            Assert.Equal(entry, StateRecordCodec.Decode(golden, Key));
            Assert.Equal(golden, StateRecordCodec.Encode(entry, Key));
        }
        var trial = StateRecordCodec.Decode(GoldenFile.Read("state-record-v2-prerelease-trial.bin"), Key).Container!;
        Assert.Equal("2.0.0-rc.1+build.5", trial.SlotB.Version!.ToString());
    }

    [Theory]
    [InlineData("state-record-v1-torn-negative.bin", "CRC")]
    [InlineData("state-record-v2-torn-negative.bin", "CRC")]
    [InlineData("state-record-v2-bad-version-negative.bin", "not SemVer")]
    public void Negative_goldens_are_refused_with_the_reason(string file, string reason)
    {
        var e = Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(GoldenFile.Read(file), Key));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_v1_record_cannot_hold_a_pre_release_or_build_metadata()
    {
        var e = Assert.Throws<ArgumentException>(() => StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 1, 1, TestRecords.PrereleaseTrial), Key, StateRecordFormat.V1));
        Assert.Contains("does not fit a v1 state record", e.Message);
        Assert.Null(StateRecordCodec.Unencodable(TestRecords.PrereleaseTrial.SlotB, StateRecordFormat.V2));
        Assert.NotNull(StateRecordCodec.Unencodable(TestRecords.Image(1, true) with { Version = SemanticVersion.Parse("1.0.0+b") }, StateRecordFormat.V1));
        Assert.NotNull(StateRecordCodec.Unencodable(TestRecords.Image(1, true) with { Version = SemanticVersion.Release(65536, 0, 0) }, StateRecordFormat.V1));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_record_from_another_device_key_is_invalid(StateRecordFormat format)
    {
        var bytes = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 1, 1, TestRecords.Confirmed), Key, format);
        var e = Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(bytes, DeviceKey.Generate()));
        Assert.Contains("MAC", e.Message);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Every_single_bit_flip_is_detected(StateRecordFormat format)
    {
        var record = format == StateRecordFormat.V2 ? TestRecords.PrereleaseTrial : TestRecords.TrialBooted;
        var bytes = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 9, 2, record), Key, format);
        for (var bit = 0; bit < bytes.Length * 8; bit++)
        {
            var damaged = (byte[])bytes.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(StateRecordCodec.TryDecode(damaged, Key, out _, out var reason), $"bit {bit} flip accepted");
            Assert.NotNull(reason);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Torn_prefixes_are_never_valid(StateRecordFormat format)
    {
        var bytes = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 9, 2, TestRecords.Confirmed), Key, format);
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
        var noVersion = TestRecords.Confirmed with { SlotA = TestRecords.Confirmed.SlotA with { Version = null } };
        Assert.Contains("no version", Assert.Throws<ArgumentException>(() => StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 1, 1, noVersion), Key)).Message);
    }

    [Fact]
    public void Short_input_unknown_formats_and_wrong_magic_are_clear_errors()
    {
        Assert.Contains("shorter than any format (v1 192, v2 288)", Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(new byte[10], Key)).Message);
        Assert.Contains("magic", Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(new byte[192], Key)).Message);
        var v2 = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.HalfHeader, 1, 1, null), Key);
        Assert.Contains("a v2 record is 288", Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(v2.AsSpan(0, 200), Key)).Message);
        v2[4] = 3;
        Assert.Contains("format version 3", Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(v2, Key)).Message);
    }

    [Theory]
    [InlineData(0, "length 0")]
    [InlineData(65, "length 65")]
    public void A_v2_version_length_outside_1_to_64_is_refused(byte length, string reason)
    {
        var bytes = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 9, 2, TestRecords.Confirmed), Key);
        bytes[28 + 1] = length;
        Reseal(bytes);
        Assert.Contains(reason, Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(bytes, Key)).Message);
    }

    [Theory]
    [InlineData(0x20, "outside SemVer")]
    [InlineData(0xC3, "outside SemVer")]
    [InlineData((byte)'_', "outside SemVer")]
    public void A_v2_version_with_foreign_bytes_is_refused(byte value, string reason)
    {
        var bytes = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 9, 2, TestRecords.Confirmed), Key);
        bytes[28 + 44 + 1] = value; // "1.2.7" -> "1?2.7"
        Reseal(bytes);
        Assert.Contains(reason, Assert.Throws<StateRecordException>(() => StateRecordCodec.Decode(bytes, Key)).Message);
    }

    [Fact]
    public void Fuzz_arbitrary_bytes_never_decode_and_never_throw_anything_else()
    {
        Gen.Byte.Array[0, 600].Sample(bytes =>
        {
            Assert.False(StateRecordCodec.TryDecode(bytes, Key, out _, out _));
        }, iter: 20_000);
    }

    private static readonly Gen<string> Identifier =
        Gen.OneOf(Gen.UInt[0, 300].Select(u => u.ToString(System.Globalization.CultureInfo.InvariantCulture)), Gen.String[Gen.Char["abrcxZ-"], 1, 6]);

    /// <summary>Any SemVer of at most 64 characters (pre-release and build metadata included).</summary>
    internal static readonly Gen<SemanticVersion> Versions =
        Gen.Select(Gen.ULong[0, 1_000_000], Gen.ULong[0, 70_000], Gen.ULong[0, 5_000_000_000], Identifier.Array[0, 4], Identifier.Array[0, 3])
            .Select((major, minor, patch, pre, build) =>
                $"{major}.{minor}.{patch}" + (pre.Length > 0 ? "-" + string.Join('.', pre) : "") + (build.Length > 0 ? "+" + string.Join('.', build) : ""))
            .Where(text => SemanticVersion.TryParse(text, out _))
            .Select(SemanticVersion.Parse);

    [Fact]
    public void Fuzz_generated_consistent_records_round_trip_in_every_format_that_holds_them()
    {
        var genSlot = Gen.Select(Gen.Bool, Gen.UInt[1, 1 << 20], Gen.Byte.Array[32], Versions, Gen.UInt)
            .Select((verified, size, digest, version, counter) => new SlotImageInfo(true, verified, size, Digest.FromSha256(digest), version, counter));
        var genRecord = Gen.Select(Gen.Int[0, 39], genSlot, genSlot, Gen.Byte[1, 9], Gen.UInt, Gen.UInt)
            .Select((index, a, b, attempts, seq, epoch) => (Record: new ContainerRecord(index, ContainerState.Pending, SlotId.A, SlotId.B, attempts, Math.Min(a.SecurityCounter, 7u), a, b), seq, epoch));
        genRecord.Sample(x =>
        {
            var entry = new StateLogEntry(StateRecordType.Container, x.seq, x.epoch, x.Record);
            Assert.Equal(entry, StateRecordCodec.Decode(StateRecordCodec.Encode(entry, Key), Key));
            var fitsV1 = StateRecordCodec.Unencodable(x.Record.SlotA, StateRecordFormat.V1) is null && StateRecordCodec.Unencodable(x.Record.SlotB, StateRecordFormat.V1) is null;
            if (fitsV1) Assert.Equal(entry, StateRecordCodec.Decode(StateRecordCodec.Encode(entry, Key, StateRecordFormat.V1), Key));
            else Assert.Throws<ArgumentException>(() => StateRecordCodec.Encode(entry, Key, StateRecordFormat.V1));
        }, iter: 2000);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Fuzz_MACed_records_with_mutated_fields_are_either_consistent_or_refused(StateRecordFormat format)
    {
        // Mutate a field, then re-seal with CRC and MAC: the parser must still refuse inconsistent content.
        var record = format == StateRecordFormat.V2 ? TestRecords.PrereleaseTrial : TestRecords.TrialBooted;
        var good = StateRecordCodec.Encode(new StateLogEntry(StateRecordType.Container, 5, 1, record), Key, format);
        Gen.Select(Gen.Int[0, good.Length - 37], Gen.Byte).Sample((at, value) =>
        {
            var bytes = (byte[])good.Clone();
            bytes[at] = value;
            Reseal(bytes);
            if (StateRecordCodec.TryDecode(bytes, Key, out var entry, out _) && entry!.Container is { } r)
            {
                Assert.Empty(r.Validate());
                Assert.Equal(bytes, StateRecordCodec.Encode(entry, Key, format)); // canonical: one encoding per record
            }
        }, iter: 5000);
    }
}
