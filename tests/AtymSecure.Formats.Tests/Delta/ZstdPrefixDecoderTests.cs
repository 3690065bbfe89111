using AtymSecure.Formats.Delta;
using AtymSecure.Formats.Delta.Zstd;

namespace AtymSecure.Formats.Tests.Delta;

public class ZstdPrefixDecoderTests
{
    [Fact]
    public void Golden_v1_patch_decodes_to_the_golden_new_image()
    {
        Assert.Equal(GoldenFiles.New, DeltaPatchApplier.Apply(GoldenFiles.ZstdPrefixPatch, GoldenFiles.Old));
    }

    [Fact]
    public void Golden_patch_really_uses_the_old_image_as_prefix()
    {
        // Without the prefix the frame references bytes that do not exist: a typed format error.
        var header = DeltaPatchHeader.Parse(GoldenFiles.ZstdPrefixPatch);
        var patch = (byte[])GoldenFiles.ZstdPrefixPatch.Clone();
        patch[6] = 1;
        var sink = new MemorySink((int)header.NewSize);
        Assert.Throws<DeltaFormatException>(() =>
            ZstdPrefixDecoder.Decode(header with { ParameterA = 1 }, new MemorySource(patch), new MemorySource(GoldenFiles.Old), sink));
    }

    [Fact]
    public void Wrong_base_image_is_a_mismatch()
    {
        var wrongOld = (byte[])GoldenFiles.Old.Clone();
        wrongOld[0] ^= 1;
        Assert.Throws<DeltaMismatchException>(() => DeltaPatchApplier.Apply(GoldenFiles.ZstdPrefixPatch, wrongOld));
    }

    [Fact]
    public void A_frame_that_decodes_to_a_different_size_than_promised_is_rejected()
    {
        var header = DeltaPatchHeader.Parse(GoldenFiles.ZstdPrefixPatch);
        var sink = new MemorySink((int)header.NewSize + 10);
        var e = Assert.Throws<DeltaFormatException>(() => ZstdPrefixDecoder.Decode(
            header with { NewSize = header.NewSize + 10 }, new MemorySource(GoldenFiles.ZstdPrefixPatch), new MemorySource(GoldenFiles.Old), sink));
        Assert.Contains("header promises", e.Message, StringComparison.Ordinal);
    }
}
