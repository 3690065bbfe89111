using System.Buffers.Binary;
using AtymSecure.Formats.Delta;
using AtymSecure.Formats.Delta.SeqDiff;
using AtymSecure.Primitives;

namespace AtymSecure.Delivery.Delta;

/// <summary>Tuning of the SeqDiff encoder; the defaults are what the bench measured best.</summary>
public sealed record SeqDiffOptions
{
    /// <summary>LZ window of extra segments (log2); also the device's write buffer.</summary>
    public int WindowLog { get; init; } = SeqDiffLayout.MaxWindowLog;

    /// <summary>Output bytes per independently coded block (log2): the resume granularity.</summary>
    public int BlockLog { get; init; } = 18;

    /// <summary>
    /// bsdiff alignment-switch thresholds to try; the smallest patch wins (measured: 4 suits small
    /// edits and object files, 8 — bsdiff's own — suits large upgrades).
    /// </summary>
    public IReadOnlyList<int> SwitchGains { get; init; } = [4, 6, 8];

    /// <summary>Hash-chain steps per LZ match search in extra segments.</summary>
    public int MatchSearchDepth { get; init; } = 32;
}

/// <summary>
/// Server-side encoder of the MCU-class SeqDiff codec (formats/Delta/README.md#seqdiff): bsdiff
/// matching over a suffix array, then each block of the new image is range-coded on its own as
/// (old position, [diff length, zero-run coded diff, extra length, LZ-coded extra, adjustment]*).
/// </summary>
public static class SeqDiffEncoder
{
    public static byte[] Encode(ReadOnlySpan<byte> oldImage, ReadOnlySpan<byte> newImage, SeqDiffOptions? options = null)
    {
        options ??= new SeqDiffOptions();
        if (options.SwitchGains.Count == 0)
        {
            throw new ArgumentException("SwitchGains needs at least one threshold", nameof(options));
        }

        var suffixArray = SuffixArray.Build(oldImage);
        byte[]? best = null;
        foreach (int gain in options.SwitchGains)
        {
            var ops = BsdiffMatcher.Match(oldImage, newImage, suffixArray, gain);
            var patch = EncodeOperations(oldImage, newImage, ops, options);
            if (best is null || patch.Length < best.Length)
            {
                best = patch;
            }
        }

        return best!;
    }

    /// <summary>Codes given operations (lets callers try other matchers or preprocessed images).</summary>
    public static byte[] EncodeOperations(ReadOnlySpan<byte> oldImage, ReadOnlySpan<byte> newImage, IReadOnlyList<DeltaOperation> ops, SeqDiffOptions options)
    {
        ArgumentNullException.ThrowIfNull(ops);
        ArgumentNullException.ThrowIfNull(options);
        if (options.WindowLog is < SeqDiffLayout.MinWindowLog or > SeqDiffLayout.MaxWindowLog)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"window log must be {SeqDiffLayout.MinWindowLog}..{SeqDiffLayout.MaxWindowLog}");
        }

        if (options.BlockLog is < SeqDiffLayout.MinBlockLog or > SeqDiffLayout.MaxBlockLog)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"block log must be {SeqDiffLayout.MinBlockLog}..{SeqDiffLayout.MaxBlockLog}");
        }

        var body = new List<byte>(Math.Max(64, newImage.Length / 8));
        int blockSize = 1 << options.BlockLog;
        var block = new List<byte>();
        var lz = new ExtraSegmentCoder(options.WindowLog, options.MatchSearchDepth);
        var length = new byte[SeqDiffLayout.BlockHeaderSize];
        int opIndex = 0;
        for (int blockStart = 0; blockStart < newImage.Length; blockStart += blockSize)
        {
            int blockEnd = (int)Math.Min((long)blockStart + blockSize, newImage.Length);
            while (ops[opIndex].NewEnd <= blockStart)
            {
                opIndex++;
            }

            block.Clear();
            EncodeBlock(oldImage, newImage, ops, opIndex, blockStart, blockEnd, block, lz);
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)block.Count);
            body.AddRange(length);
            body.AddRange(block);
        }

        var header = new DeltaPatchHeader
        {
            Codec = DeltaCodec.SeqDiff,
            ParameterA = (byte)options.WindowLog,
            ParameterB = (byte)options.BlockLog,
            OldSize = oldImage.Length,
            OldSha256 = Digest.Compute(oldImage),
            NewSize = newImage.Length,
            NewSha256 = Digest.Compute(newImage),
            BodyLength = body.Count,
        };
        var patch = new byte[DeltaPatchHeader.Size + body.Count];
        header.WriteTo(patch);
        body.CopyTo(patch, DeltaPatchHeader.Size);
        return patch;
    }

    private static void EncodeBlock(
        ReadOnlySpan<byte> oldImage, ReadOnlySpan<byte> newImage, IReadOnlyList<DeltaOperation> ops, int opIndex,
        int blockStart, int blockEnd, List<byte> output, ExtraSegmentCoder lz)
    {
        var p = new ushort[SeqDiffLayout.ProbabilityCount];
        SeqDiffLayout.ResetProbabilities(p);
        var rc = new RangeEncoder(output);
        lz.BeginBlock(blockStart, blockEnd);

        // Clip the operations to this block and drop pieces that produce nothing.
        var pieces = new List<(int OldStart, int NewStart, int Diff, int Extra)>();
        for (int i = opIndex; i < ops.Count && ops[i].NewStart < blockEnd; i++)
        {
            var op = ops[i];
            int diffStart = Math.Max(op.NewStart, blockStart);
            int diffEnd = Math.Min(op.NewStart + op.DiffLength, blockEnd);
            int extraStart = Math.Max(op.NewStart + op.DiffLength, blockStart);
            int extraEnd = Math.Min(op.NewEnd, blockEnd);
            int diff = Math.Max(0, diffEnd - diffStart);
            int extra = Math.Max(0, extraEnd - extraStart);
            if (diff + extra > 0)
            {
                int oldStart = op.OldStart + (diff > 0 ? diffStart - op.NewStart : op.DiffLength);
                pieces.Add((oldStart, diff > 0 ? diffStart : extraStart, diff, extra));
            }
        }

        rc.EncodeNumber(p, SeqDiffLayout.NumOldPosition, (ulong)pieces[0].OldStart);
        bool previousWasMatch = false;
        int lastDistance = 0;
        for (int k = 0; k < pieces.Count; k++)
        {
            var piece = pieces[k];
            rc.EncodeNumber(p, SeqDiffLayout.NumDiffLength, (ulong)piece.Diff);
            EncodeDiff(rc, p, oldImage.Slice(piece.OldStart, piece.Diff), newImage.Slice(piece.NewStart, piece.Diff));
            lz.Skip(newImage, piece.NewStart, piece.Diff);
            rc.EncodeNumber(p, SeqDiffLayout.NumExtraLength, (ulong)piece.Extra);
            long oldAfter = piece.OldStart + piece.Diff;
            lz.Encode(rc, p, newImage, piece.NewStart + piece.Diff, piece.Extra, ref previousWasMatch, ref lastDistance);
            long adjust = k + 1 < pieces.Count ? pieces[k + 1].OldStart - oldAfter : 0;
            rc.EncodeNumber(p, SeqDiffLayout.NumAdjust, SeqDiffLayout.ZigZag(adjust));
        }

        rc.Finish();
    }

    private static void EncodeDiff(RangeEncoder rc, ushort[] p, ReadOnlySpan<byte> oldBytes, ReadOnlySpan<byte> newBytes)
    {
        int previousOld = 0;
        int previousChanged = 0;
        for (int i = 0; i < newBytes.Length; i++)
        {
            int flag = SeqDiffLayout.DiffFlagOffset + (previousOld << 1) + previousChanged;
            byte delta = (byte)(newBytes[i] - oldBytes[i]);
            if (delta == 0)
            {
                rc.EncodeBit(p, flag, 0);
                previousChanged = 0;
            }
            else
            {
                rc.EncodeBit(p, flag, 1);
                rc.EncodeTree(p, SeqDiffLayout.DiffLiteralOffset + (previousChanged * 256) - 1, 8, delta);
                previousChanged = 1;
            }

            previousOld = oldBytes[i];
        }
    }
}
