namespace AtymSecure.Formats.Delta.SeqDiff;

/// <summary>
/// Shared constants of the SeqDiff codec (formats/Delta/README.md#seqdiff): the adaptive-probability
/// table layout, which the encoder (ota-server) and the decoder (device) must agree on bit for bit.
/// All probabilities live in one ushort table so the decoder allocates it once with a known size.
/// </summary>
public static class SeqDiffLayout
{
    public const int MinWindowLog = 8;

    /// <summary>4 KiB LZ window: with the tables below the decoder stays under 16 KiB of buffers.</summary>
    public const int MaxWindowLog = 12;

    public const int MinBlockLog = 12;
    public const int MaxBlockLog = 24;

    /// <summary>Each block starts with its compressed length as u32 LE.</summary>
    public const int BlockHeaderSize = 4;

    /// <summary>
    /// Range coder: 15-bit probabilities (LZMA uses 11), adaptation shift 5. The finer floor makes a
    /// near-certain bit cost ~0.0014 bits, so diff bytes can be flagged one by one.
    /// </summary>
    public const int ProbBits = 15;
    public const int ProbInit = 1 << (ProbBits - 1);
    public const int MoveBits = 5;
    public const uint TopValue = 1u << 24;

    /// <summary>Shortest LZ match inside extra segments.</summary>
    public const int MinMatch = 4;

    // Number coder: a 6-bit tree for the bit length n of (v+1), then the top 3 bits below the
    // leading one through a per-n tree, the rest as direct bits.
    public const int NumberLengthTree = 64;
    public const int NumberMaxBits = 32;
    public const int NumberMantissaTreeBits = 3;
    public const int NumberContextSize = NumberLengthTree + ((NumberMaxBits + 1) << NumberMantissaTreeBits);

    // Number contexts.
    public const int NumDiffLength = 0;
    public const int NumExtraLength = 1;
    public const int NumAdjust = 2;
    public const int NumMatchLength = 3;
    public const int NumMatchDistance = 4;
    public const int NumOldPosition = 5;
    public const int NumberContexts = 6;

    /// <summary>Changed-byte flags: context = previous old byte × (previous byte changed).</summary>
    public const int DiffFlagContexts = 512;
    public const int DiffLiteralContexts = 2;
    public const int ExtraLiteralContexts = 8;

    /// <summary>Extra literals are coded in the context of the previous byte's top bits.</summary>
    public const int ExtraLiteralContextShift = 5;

    // Offsets into the probability table.
    public const int NumbersOffset = 0;
    public const int DiffFlagOffset = NumbersOffset + (NumberContexts * NumberContextSize);
    public const int DiffLiteralOffset = DiffFlagOffset + DiffFlagContexts;
    public const int ExtraLiteralOffset = DiffLiteralOffset + (DiffLiteralContexts * 256);
    public const int IsMatchOffset = ExtraLiteralOffset + (ExtraLiteralContexts * 256);
    public const int IsRepOffset = IsMatchOffset + 2;
    public const int ProbabilityCount = IsRepOffset + 2;

    /// <summary>Changed-byte flags start at P(changed) = 1/64: most bytes of a diff segment are unchanged.</summary>
    public const int DiffFlagInit = (1 << ProbBits) - (1 << (ProbBits - 6));

    /// <summary>Resets the probabilities to their initial state (done at the start of each block).</summary>
    public static void ResetProbabilities(Span<ushort> probabilities)
    {
        probabilities.Fill(ProbInit);
        probabilities.Slice(DiffFlagOffset, DiffFlagContexts).Fill(DiffFlagInit);
    }

    /// <summary>Zig-zag mapping of the signed old-position adjustment to an unsigned number.</summary>
    public static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    public static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);
}
