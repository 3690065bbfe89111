using System.Buffers.Binary;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Delta;

/// <summary>
/// The fixed 96-byte header in front of every delta patch body; it names the codec and binds the
/// patch to exactly one base image and one target image (formats/Delta/README.md#header).
/// <code>
///  0  4  magic "ATDP"
///  4  1  version (1)
///  5  1  codec (DeltaCodec)
///  6  1  codec parameter A   ZstdPrefix: prefix mode (0 = old image, 1 = none) | SeqDiff: LZ window log
///  7  1  codec parameter B   ZstdPrefix: window log                              | SeqDiff: block size log
///  8  8  old size (LE)       16 32 old SHA-256
/// 48  8  new size (LE)       56 32 new SHA-256
/// 88  8  body length (LE)    the body follows at byte 96
/// </code>
/// </summary>
public sealed record DeltaPatchHeader
{
    public const int Size = 96;
    public const byte CurrentVersion = 1;
    public const int DigestSize = 32;
    private static ReadOnlySpan<byte> Magic => "ATDP"u8;

    public required DeltaCodec Codec { get; init; }
    public required byte ParameterA { get; init; }
    public required byte ParameterB { get; init; }
    public required long OldSize { get; init; }
    public required Digest OldSha256 { get; init; }
    public required long NewSize { get; init; }
    public required Digest NewSha256 { get; init; }
    public required long BodyLength { get; init; }

    /// <summary>Parses and range-checks a header; every failure is a <see cref="DeltaFormatException"/>.</summary>
    public static DeltaPatchHeader Parse(ReadOnlySpan<byte> patch, DeltaLimits? limits = null)
    {
        limits ??= DeltaLimits.Default;
        if (patch.Length < Size)
        {
            throw new DeltaFormatException($"patch is {patch.Length} bytes, shorter than the {Size}-byte header", -1);
        }

        if (!patch[..4].SequenceEqual(Magic))
        {
            throw new DeltaFormatException("bad magic (expected \"ATDP\")", 0);
        }

        if (patch[4] != CurrentVersion)
        {
            throw new DeltaFormatException($"unsupported version {patch[4]} (this reader knows {CurrentVersion})", 4);
        }

        var codec = (DeltaCodec)patch[5];
        if (codec is not (DeltaCodec.ZstdPrefix or DeltaCodec.SeqDiff))
        {
            throw new DeltaFormatException($"unknown codec {patch[5]}", 5);
        }

        var header = new DeltaPatchHeader
        {
            Codec = codec,
            ParameterA = patch[6],
            ParameterB = patch[7],
            OldSize = ReadLength(patch, 8, limits.MaxOldSize, "old size"),
            OldSha256 = Digest.FromSha256(patch.Slice(16, DigestSize)),
            NewSize = ReadLength(patch, 48, limits.MaxNewSize, "new size"),
            NewSha256 = Digest.FromSha256(patch.Slice(56, DigestSize)),
            BodyLength = ReadLength(patch, 88, limits.MaxBodySize, "body length"),
        };
        header.CheckCodecParameters(limits);
        return header;
    }

    /// <summary>Writes the 96 header bytes.</summary>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException($"destination needs {Size} bytes", nameof(destination));
        }

        if (!OldSha256.IsSha256 || !NewSha256.IsSha256)
        {
            throw new InvalidOperationException("digests must be 32-byte SHA-256 values");
        }

        Magic.CopyTo(destination);
        destination[4] = CurrentVersion;
        destination[5] = (byte)Codec;
        destination[6] = ParameterA;
        destination[7] = ParameterB;
        BinaryPrimitives.WriteInt64LittleEndian(destination[8..], OldSize);
        OldSha256.WriteTo(destination[16..]);
        BinaryPrimitives.WriteInt64LittleEndian(destination[48..], NewSize);
        NewSha256.WriteTo(destination[56..]);
        BinaryPrimitives.WriteInt64LittleEndian(destination[88..], BodyLength);
    }

    public byte[] ToBytes()
    {
        var bytes = new byte[Size];
        WriteTo(bytes);
        return bytes;
    }

    private void CheckCodecParameters(DeltaLimits limits)
    {
        switch (Codec)
        {
            case DeltaCodec.ZstdPrefix:
                if (ParameterA > 1)
                {
                    throw new DeltaFormatException($"zstd prefix mode {ParameterA} is not 0 or 1", 6);
                }

                if (ParameterB < 10 || ParameterB > limits.MaxZstdWindowLog)
                {
                    throw new DeltaFormatException(
                        $"zstd window log {ParameterB} outside 10..{limits.MaxZstdWindowLog}", 7);
                }

                break;
            case DeltaCodec.SeqDiff:
                if (ParameterA < SeqDiff.SeqDiffLayout.MinWindowLog || ParameterA > SeqDiff.SeqDiffLayout.MaxWindowLog)
                {
                    throw new DeltaFormatException(
                        $"SeqDiff window log {ParameterA} outside {SeqDiff.SeqDiffLayout.MinWindowLog}..{SeqDiff.SeqDiffLayout.MaxWindowLog}", 6);
                }

                if (ParameterB < SeqDiff.SeqDiffLayout.MinBlockLog || ParameterB > SeqDiff.SeqDiffLayout.MaxBlockLog)
                {
                    throw new DeltaFormatException(
                        $"SeqDiff block log {ParameterB} outside {SeqDiff.SeqDiffLayout.MinBlockLog}..{SeqDiff.SeqDiffLayout.MaxBlockLog}", 7);
                }

                break;
        }
    }

    private static long ReadLength(ReadOnlySpan<byte> patch, int offset, long max, string what)
    {
        long value = BinaryPrimitives.ReadInt64LittleEndian(patch[offset..]);
        if (value < 0 || value > max)
        {
            throw new DeltaFormatException($"{what} {value} outside 0..{max}", offset);
        }

        return value;
    }
}
