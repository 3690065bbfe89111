using System.Buffers.Binary;
using AtymSecure.Formats.Delta;
using CsCheck;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Tests.Delta;

public class DeltaPatchHeaderTests
{
    private static DeltaPatchHeader Sample(DeltaCodec codec = DeltaCodec.SeqDiff) => new()
    {
        Codec = codec,
        ParameterA = codec == DeltaCodec.SeqDiff ? (byte)12 : (byte)0,
        ParameterB = codec == DeltaCodec.SeqDiff ? (byte)16 : (byte)22,
        OldSize = 1000,
        OldSha256 = Digest.FromSha256(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray()),
        NewSize = 2000,
        NewSha256 = Digest.FromSha256(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray()),
        BodyLength = 77,
    };

    [Fact]
    public void Header_round_trips_through_its_96_bytes()
    {
        var header = Sample();
        var bytes = header.ToBytes();
        Assert.Equal(DeltaPatchHeader.Size, bytes.Length);
        Assert.Equal("ATDP"u8.ToArray(), bytes[..4]);
        var parsed = DeltaPatchHeader.Parse(bytes);
        Assert.Equal(header.Codec, parsed.Codec);
        Assert.Equal(header.OldSize, parsed.OldSize);
        Assert.Equal(header.NewSize, parsed.NewSize);
        Assert.Equal(header.BodyLength, parsed.BodyLength);
        Assert.Equal(header.OldSha256, parsed.OldSha256);
        Assert.Equal(header.NewSha256, parsed.NewSha256);
        Assert.Equal(header, parsed);
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(), bytes[16..48]);
        Assert.Equal(Enumerable.Range(100, 32).Select(i => (byte)i).ToArray(), bytes[56..88]);
    }

    [Fact]
    public void Golden_headers_parse_with_the_documented_layout()
    {
        var seq = DeltaPatchHeader.Parse(GoldenFiles.SeqDiffPatch);
        Assert.Equal(DeltaCodec.SeqDiff, seq.Codec);
        Assert.Equal(GoldenFiles.Old.Length, seq.OldSize);
        Assert.Equal(GoldenFiles.New.Length, seq.NewSize);
        Assert.Equal(GoldenFiles.SeqDiffPatch.Length - DeltaPatchHeader.Size, seq.BodyLength);
        var zstd = DeltaPatchHeader.Parse(GoldenFiles.ZstdPrefixPatch);
        Assert.Equal(DeltaCodec.ZstdPrefix, zstd.Codec);
        Assert.Equal(0, zstd.ParameterA);
    }

    [Fact]
    public void Golden_headers_hold_the_images_digests_and_re_encode_byte_identically()
    {
        foreach (var patch in new[] { GoldenFiles.SeqDiffPatch, GoldenFiles.ZstdPrefixPatch })
        {
            var header = DeltaPatchHeader.Parse(patch);
            Assert.Equal(Digest.Compute(GoldenFiles.Old), header.OldSha256);
            Assert.Equal(Digest.Compute(GoldenFiles.New), header.NewSha256);
            Assert.Equal(patch[..DeltaPatchHeader.Size], header.ToBytes());
        }
    }

    [Fact]
    public void A_header_whose_digests_are_not_sha256_is_not_written()
    {
        var header = Sample() with { NewSha256 = Digest.Compute("x"u8, Digest.Sha512) };
        Assert.Throws<InvalidOperationException>(() => header.ToBytes());
        Assert.Throws<InvalidOperationException>(() => (Sample() with { OldSha256 = default }).ToBytes());
    }

    [Theory]
    [InlineData(0, 0x42, 0, "bad magic")]
    [InlineData(4, 2, 4, "unsupported version 2")]
    [InlineData(5, 9, 5, "unknown codec 9")]
    [InlineData(6, 13, 6, "window log 13")]
    [InlineData(6, 7, 6, "window log 7")]
    [InlineData(7, 25, 7, "block log 25")]
    [InlineData(7, 11, 7, "block log 11")]
    public void Bad_header_bytes_are_rejected_with_their_offset(int offset, byte value, long expectedOffset, string reason)
    {
        var bytes = Sample().ToBytes();
        bytes[offset] = value;
        var e = Assert.Throws<DeltaFormatException>(() => DeltaPatchHeader.Parse(bytes));
        Assert.Equal(expectedOffset, e.Offset);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8, "old size")]
    [InlineData(48, "new size")]
    [InlineData(88, "body length")]
    public void Negative_or_oversized_lengths_are_rejected(int offset, string what)
    {
        var limits = new DeltaLimits { MaxOldSize = 5000, MaxNewSize = 5000, MaxBodySize = 5000 };
        foreach (long value in new[] { -1L, 5001L, long.MaxValue })
        {
            var bytes = Sample().ToBytes();
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), value);
            var e = Assert.Throws<DeltaFormatException>(() => DeltaPatchHeader.Parse(bytes, limits));
            Assert.Equal(offset, e.Offset);
            Assert.Contains(what, e.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Zstd_parameters_are_range_checked()
    {
        var bytes = Sample(DeltaCodec.ZstdPrefix).ToBytes();
        bytes[6] = 2;
        Assert.Contains("prefix mode", Assert.Throws<DeltaFormatException>(() => DeltaPatchHeader.Parse(bytes)).Message, StringComparison.Ordinal);
        bytes = Sample(DeltaCodec.ZstdPrefix).ToBytes();
        bytes[7] = 31;
        Assert.Contains("window log 31", Assert.Throws<DeltaFormatException>(() => DeltaPatchHeader.Parse(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_input_is_rejected()
    {
        var e = Assert.Throws<DeltaFormatException>(() => DeltaPatchHeader.Parse(Sample().ToBytes().AsSpan(0, 95)));
        Assert.Contains("shorter than the 96-byte header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Random_bytes_either_parse_within_limits_or_fail_typed()
    {
        var limits = new DeltaLimits { MaxOldSize = 1 << 20, MaxNewSize = 1 << 20, MaxBodySize = 1 << 20 };
        var valid = Sample().ToBytes();
        var mutated = Gen.Select(Gen.Int[0, 95], Gen.Byte, Gen.Int[0, 100]).Array[1, 6].Select(edits =>
        {
            var b = (byte[])valid.Clone();
            foreach (var (pos, value, _) in edits)
            {
                b[pos] = value;
            }

            return b;
        });
        Gen.OneOf(Gen.Byte.Array[0, 120], mutated).Sample(bytes =>
        {
            try
            {
                var h = DeltaPatchHeader.Parse(bytes, limits);
                Assert.InRange(h.OldSize, 0, limits.MaxOldSize);
                Assert.InRange(h.NewSize, 0, limits.MaxNewSize);
                Assert.InRange(h.BodyLength, 0, limits.MaxBodySize);
                Assert.True(Enum.IsDefined(h.Codec));
            }
            catch (DeltaFormatException)
            {
            }
        }, iter: 5000);
    }
}
