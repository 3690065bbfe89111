using System.Buffers.Binary;
using System.IO.Hashing;

namespace AtymSecure.Formats.Delta.SeqDiff;

/// <summary>
/// Where a SeqDiff decode can restart after a power cut: the start of a block. Blocks are coded
/// independently (fresh probabilities, empty LZ window, absolute old position), so these three
/// numbers are the whole codec state. Persist <see cref="ToBytes"/> (24 bytes, CRC-protected and
/// bound to the patch's target digest) after any completed block.
/// </summary>
public readonly record struct SeqDiffCheckpoint(int BlockIndex, long PatchOffset, long OutputOffset)
{
    public const int Size = 28;

    public byte[] ToBytes(DeltaPatchHeader header)
    {
        var bytes = new byte[Size];
        BinaryPrimitives.WriteInt32LittleEndian(bytes, BlockIndex);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(4), PatchOffset);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(12), OutputOffset);
        TargetDigestTag(header).CopyTo(bytes.AsSpan(20));
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(24), Crc32.HashToUInt32(bytes.AsSpan(0, 24)));
        return bytes;
    }

    /// <summary>Reads a persisted checkpoint; rejects torn writes and checkpoints of another patch.</summary>
    public static SeqDiffCheckpoint Parse(ReadOnlySpan<byte> bytes, DeltaPatchHeader header)
    {
        if (bytes.Length != Size)
        {
            throw new DeltaFormatException($"checkpoint is {bytes.Length} bytes, expected {Size}", -1);
        }

        if (Crc32.HashToUInt32(bytes[..24]) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[24..]))
        {
            throw new DeltaFormatException("checkpoint CRC mismatch (torn or corrupted write)", 24);
        }

        if (!bytes.Slice(20, 4).SequenceEqual(TargetDigestTag(header)))
        {
            throw new DeltaMismatchException("checkpoint belongs to a different patch (target digest differs)");
        }

        return new SeqDiffCheckpoint(
            BinaryPrimitives.ReadInt32LittleEndian(bytes),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[4..]),
            BinaryPrimitives.ReadInt64LittleEndian(bytes[12..]));
    }

    /// <summary>The first 4 bytes of the patch's target SHA-256: what binds a checkpoint to its patch.</summary>
    private static byte[] TargetDigestTag(DeltaPatchHeader header)
    {
        var digest = new byte[DeltaPatchHeader.DigestSize];
        header.NewSha256.WriteTo(digest);
        return digest[..4];
    }
}
