using AtymSecure.Formats.Delta;
using AtymSecure.Formats.Delta.SeqDiff;
using AtymSecure.Delivery.Delta;
using CsCheck;

namespace AtymSecure.Delivery.Tests.Delta;

public class SeqDiffEncoderTests
{
    [Fact]
    public void Random_pairs_round_trip_with_default_options()
    {
        DeltaPairs.Pair.Sample(pair =>
        {
            var patch = SeqDiffEncoder.Encode(pair.Old, pair.New);
            Assert.Equal(pair.New, DeltaPatchApplier.Apply(patch, pair.Old));
        }, iter: 400);
    }

    [Fact]
    public void Random_pairs_round_trip_with_small_blocks_and_windows()
    {
        var options = Gen.Select(Gen.Int[SeqDiffLayout.MinWindowLog, SeqDiffLayout.MaxWindowLog], Gen.Int[1, 64])
            .Select((w, depth) => new SeqDiffOptions { WindowLog = w, BlockLog = SeqDiffLayout.MinBlockLog, MatchSearchDepth = depth });
        Gen.Select(DeltaPairs.Pair, options).Sample((pair, o) =>
        {
            var patch = SeqDiffEncoder.Encode(pair.Old, pair.New, o);
            Assert.Equal(pair.New, DeltaPatchApplier.Apply(patch, pair.Old));
        }, iter: 300);
    }

    [Fact]
    public void Patch_operations_tile_the_new_image()
    {
        DeltaPairs.Pair.Sample(pair =>
        {
            var ops = BsdiffMatcher.Match(pair.Old, pair.New);
            int next = 0;
            foreach (var op in ops)
            {
                Assert.Equal(next, op.NewStart);
                Assert.True(op.DiffLength + op.ExtraLength > 0);
                Assert.InRange(op.OldStart + op.DiffLength, 0, pair.Old.Length);
                next = op.NewEnd;
            }

            Assert.Equal(pair.New.Length, next);
        }, iter: 300);
    }

    [Fact]
    public void Trying_several_switch_gains_never_loses_to_bsdiffs_own()
    {
        DeltaPairs.Pair.Sample(pair =>
        {
            var tuned = SeqDiffEncoder.Encode(pair.Old, pair.New);
            var classic = SeqDiffEncoder.Encode(pair.Old, pair.New, new SeqDiffOptions { SwitchGains = [8] });
            Assert.True(tuned.Length <= classic.Length);
            Assert.Equal(pair.New, DeltaPatchApplier.Apply(tuned, pair.Old));
        }, iter: 100);
    }

    [Fact]
    public void Identical_images_give_a_tiny_patch()
    {
        var image = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 31 ^ (i >> 7))).ToArray();
        var patch = SeqDiffEncoder.Encode(image, image);
        Assert.True(patch.Length - DeltaPatchHeader.Size < 100, $"body is {patch.Length - DeltaPatchHeader.Size} bytes");
    }

    [Fact]
    public void Encoding_is_deterministic_and_matches_the_committed_golden()
    {
        var old = GoldenFiles.Read("v1.old.bin");
        var @new = GoldenFiles.Read("v1.new.bin");
        var patch = SeqDiffEncoder.Encode(old, @new, new SeqDiffOptions { BlockLog = 12, SwitchGains = [8] });
        Assert.Equal(GoldenFiles.Read("v1.seqdiff.patch"), patch);
        Assert.Equal(SeqDiffEncoder.Encode(old, @new), SeqDiffEncoder.Encode(old, @new));
    }

    [Fact]
    public void Options_outside_the_device_limits_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SeqDiffEncoder.Encode([1], [2], new SeqDiffOptions { WindowLog = 13 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SeqDiffEncoder.Encode([1], [2], new SeqDiffOptions { BlockLog = 11 }));
        Assert.Throws<ArgumentException>(() => SeqDiffEncoder.Encode([1], [2], new SeqDiffOptions { SwitchGains = [] }));
    }
}
