using AtymSecure.Formats.Delta;
using AtymSecure.Formats.Delta.Zstd;
using AtymSecure.Delivery.Delta;
using CsCheck;

namespace AtymSecure.Delivery.Tests.Delta;

public class ZstdPrefixEncoderTests
{
    [Fact]
    public void Random_pairs_round_trip()
    {
        DeltaPairs.Pair.Sample(pair =>
        {
            var patch = ZstdPrefixEncoder.Encode(pair.Old, pair.New, new ZstdPrefixOptions { Level = 9 });
            Assert.Equal(pair.New, DeltaPatchApplier.Apply(patch, pair.Old));
        }, iter: 200);
    }

    [Fact]
    public void Old_image_starting_with_the_zstd_dictionary_magic_round_trips_without_prefix()
    {
        var old = ZstdPrefixDecoder.DictionaryMagic.ToArray().Concat(Enumerable.Range(0, 5000).Select(i => (byte)(i % 251))).ToArray();
        var @new = old.Concat(new byte[] { 1, 2, 3 }).ToArray();
        var patch = ZstdPrefixEncoder.Encode(old, @new);
        Assert.Equal(1, DeltaPatchHeader.Parse(patch).ParameterA);
        Assert.Equal(@new, DeltaPatchApplier.Apply(patch, old));
    }

    [Fact]
    public void Prefix_makes_a_small_change_to_a_large_image_cheap()
    {
        var old = new byte[300_000];
        new Random(7).NextBytes(old);
        var @new = (byte[])old.Clone();
        @new[150_000] ^= 0xFF;
        var patch = ZstdPrefixEncoder.Encode(old, @new);
        Assert.True(patch.Length < DeltaPatchHeader.Size + 200, $"patch is {patch.Length} bytes");
        Assert.Equal(@new, DeltaPatchApplier.Apply(patch, old));
    }

    [Fact]
    public void Golden_patch_is_reproduced_by_the_encoder()
    {
        var patch = ZstdPrefixEncoder.Encode(GoldenFiles.Read("v1.old.bin"), GoldenFiles.Read("v1.new.bin"));
        Assert.Equal(GoldenFiles.Read("v1.zstdprefix.patch"), patch);
    }
}
