using System.Numerics;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats.Delta.Zstd;
using ZstdSharp;
using ZstdSharp.Unsafe;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Delta;

/// <summary>Tuning of the Linux-class zstd prefix encoder.</summary>
public sealed record ZstdPrefixOptions
{
    /// <summary>Compression level; ZstdSharp does not retune low levels for patching, so keep it ≥ 19.</summary>
    public int Level { get; init; } = 19;

    /// <summary>Long-distance matching; null = on when old+new exceed 1 MiB.</summary>
    public bool? LongDistanceMatching { get; init; }
}

/// <summary>
/// Server-side encoder of the Linux-class codec: one zstd frame with the old image as raw-content
/// prefix and a window covering old+new, i.e. `zstd --patch-from` (formats/Delta/README.md#zstdprefix).
/// </summary>
public static class ZstdPrefixEncoder
{
    public static byte[] Encode(ReadOnlySpan<byte> oldImage, ReadOnlySpan<byte> newImage, ZstdPrefixOptions? options = null)
    {
        options ??= new ZstdPrefixOptions();
        long span = Math.Max(1024L, (long)oldImage.Length + newImage.Length);
        int windowLog = Math.Clamp(64 - BitOperations.LeadingZeroCount((ulong)(span - 1)), 10, DeltaLimits.Default.MaxZstdWindowLog);
        if ((1L << windowLog) < (long)oldImage.Length + newImage.Length)
        {
            throw new ArgumentException($"old+new ({oldImage.Length + (long)newImage.Length} bytes) exceed the largest zstd window");
        }

        // A zstd decoder would parse an old image starting with the dictionary magic as a dictionary,
        // not as raw content; such images are compressed without prefix (mode 1).
        bool usePrefix = oldImage.Length > 0 && !oldImage.StartsWith(ZstdPrefixDecoder.DictionaryMagic);
        using var compressor = new Compressor(options.Level);
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_windowLog, windowLog);
        bool ldm = options.LongDistanceMatching ?? span > 1024 * 1024;
        compressor.SetParameter(ZSTD_cParameter.ZSTD_c_enableLongDistanceMatching, ldm ? 1 : 0);
        if (usePrefix)
        {
            compressor.LoadDictionary(oldImage);
        }

        var frame = compressor.Wrap(newImage);
        var header = new DeltaPatchHeader
        {
            Codec = DeltaCodec.ZstdPrefix,
            ParameterA = usePrefix ? (byte)0 : (byte)1,
            ParameterB = (byte)windowLog,
            OldSize = oldImage.Length,
            OldSha256 = Digest.Compute(oldImage),
            NewSize = newImage.Length,
            NewSha256 = Digest.Compute(newImage),
            BodyLength = frame.Length,
        };
        var patch = new byte[DeltaPatchHeader.Size + frame.Length];
        header.WriteTo(patch);
        frame.CopyTo(patch.AsSpan(DeltaPatchHeader.Size));
        return patch;
    }
}
