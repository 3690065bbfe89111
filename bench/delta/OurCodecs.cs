using System.Diagnostics;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats.Delta.SeqDiff;
using AtymSecure.Delivery.Delta;

namespace AtymSecure.Bench.Delta;

/// <summary>Measures our encoders in process; every patch is decoded and compared before it counts.</summary>
internal static class OurCodecs
{
    public static readonly string[] Names = ["SeqDiff (MCU)", "ZstdPrefix"];

    public static ToolResult Run(string codec, byte[] oldImage, byte[] newImage)
    {
        var watch = Stopwatch.StartNew();
        byte[] patch = codec switch
        {
            "SeqDiff (MCU)" => SeqDiffEncoder.Encode(oldImage, newImage),
            "ZstdPrefix" => ZstdPrefixEncoder.Encode(oldImage, newImage),
            _ => throw new ArgumentOutOfRangeException(nameof(codec), codec, "unknown codec"),
        };
        double encodeMs = watch.Elapsed.TotalMilliseconds;

        double decodeMs = double.MaxValue;
        bool ok = true;
        for (int i = 0; i < 3; i++)
        {
            watch.Restart();
            var rebuilt = DeltaPatchApplier.Apply(patch, oldImage);
            decodeMs = Math.Min(decodeMs, watch.Elapsed.TotalMilliseconds);
            ok &= rebuilt.AsSpan().SequenceEqual(newImage);
        }

        return new ToolResult(codec, patch.Length, encodeMs, decodeMs, DecoderMemory(patch), ok);
    }

    /// <summary>
    /// SeqDiff: the decoder's fixed buffers (old and new stay in flash). ZstdPrefix: the old image it
    /// loads as prefix plus the frame's window (computed; the native zstd buffers are not visible to the GC).
    /// </summary>
    private static long DecoderMemory(byte[] patch)
    {
        var header = DeltaPatchHeader.Parse(patch);
        return header.Codec == DeltaCodec.SeqDiff
            ? new SeqDiffDecoder(header).BufferBytes
            : header.OldSize + Math.Min(1L << header.ParameterB, header.OldSize + header.NewSize);
    }
}
