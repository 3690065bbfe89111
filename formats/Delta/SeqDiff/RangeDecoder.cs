namespace AtymSecure.Formats.Delta.SeqDiff;

/// <summary>
/// Binary adaptive range decoder (the LZMA construction) reading one block's compressed bytes
/// through a small fixed buffer. Reads past the block end are a <see cref="DeltaFormatException"/>.
/// </summary>
internal sealed class RangeDecoder
{
    private readonly byte[] _buffer;
    private IRandomAccessSource? _source;
    private long _next;       // next source offset to load into the buffer
    private long _end;        // end of this block's compressed bytes in the source
    private int _bufferPos;
    private int _bufferLen;
    private uint _range;
    private uint _code;

    public RangeDecoder(int bufferSize) => _buffer = new byte[bufferSize];

    public int BufferBytes => _buffer.Length;

    /// <summary>Starts decoding the compressed bytes [start, end) of <paramref name="source"/>.</summary>
    public void Begin(IRandomAccessSource source, long start, long end)
    {
        _source = source;
        _next = start;
        _end = end;
        _bufferPos = 0;
        _bufferLen = 0;
        _range = 0xFFFFFFFF;
        _code = 0;
        if (NextByte() != 0)
        {
            throw new DeltaFormatException("range coder stream does not start with 0", start);
        }

        for (int i = 0; i < 4; i++)
        {
            _code = (_code << 8) | NextByte();
        }

        if (_code == _range)
        {
            throw new DeltaFormatException("range coder stream starts with an impossible code", start);
        }
    }

    /// <summary>Source offset just after the last byte consumed.</summary>
    public long Position => _next - _bufferLen + _bufferPos;

    public int DecodeBit(Span<ushort> probabilities, int index)
    {
        uint p = probabilities[index];
        uint bound = (_range >> SeqDiffLayout.ProbBits) * p;
        int bit;
        if (_code < bound)
        {
            _range = bound;
            probabilities[index] = (ushort)(p + (((1u << SeqDiffLayout.ProbBits) - p) >> SeqDiffLayout.MoveBits));
            bit = 0;
        }
        else
        {
            _range -= bound;
            _code -= bound;
            probabilities[index] = (ushort)(p - (p >> SeqDiffLayout.MoveBits));
            bit = 1;
        }

        // With 15-bit probabilities one byte of normalisation may not be enough.
        while (_range < SeqDiffLayout.TopValue)
        {
            _range <<= 8;
            _code = (_code << 8) | NextByte();
        }

        return bit;
    }

    public uint DecodeDirect(int count)
    {
        uint result = 0;
        for (int i = 0; i < count; i++)
        {
            _range >>= 1;
            uint bit = _code >= _range ? 1u : 0u;
            _code -= _range & (0u - bit);
            result = (result << 1) | bit;
            if (_range < SeqDiffLayout.TopValue)
            {
                _range <<= 8;
                _code = (_code << 8) | NextByte();
            }
        }

        return result;
    }

    /// <summary>Decodes <paramref name="bits"/> bits MSB first through a binary tree rooted at <paramref name="offset"/>+1.</summary>
    public int DecodeTree(Span<ushort> probabilities, int offset, int bits)
    {
        int m = 1;
        for (int i = 0; i < bits; i++)
        {
            m = (m << 1) | DecodeBit(probabilities, offset + m);
        }

        return m - (1 << bits);
    }

    /// <summary>Decodes a number coded by the SeqDiff number coder in context <paramref name="context"/>.</summary>
    public ulong DecodeNumber(Span<ushort> probabilities, int context)
    {
        int baseOffset = SeqDiffLayout.NumbersOffset + (context * SeqDiffLayout.NumberContextSize);
        int n = DecodeTree(probabilities, baseOffset - 1, 6);
        if (n > SeqDiffLayout.NumberMaxBits)
        {
            throw new DeltaFormatException($"number bit length {n} over {SeqDiffLayout.NumberMaxBits}", Position);
        }

        int modeled = Math.Min(n, SeqDiffLayout.NumberMantissaTreeBits);
        int treeOffset = baseOffset + SeqDiffLayout.NumberLengthTree + (n << SeqDiffLayout.NumberMantissaTreeBits) - 1;
        ulong value = 1;
        int m = 1;
        for (int i = 0; i < modeled; i++)
        {
            int bit = DecodeBit(probabilities, treeOffset + m);
            m = (m << 1) | bit;
            value = (value << 1) | (uint)bit;
        }

        int direct = n - modeled;
        if (direct > 0)
        {
            value = (value << direct) | DecodeDirect(direct);
        }

        return value - 1;
    }

    private byte NextByte()
    {
        if (_bufferPos == _bufferLen)
        {
            long remaining = _end - _next;
            if (remaining <= 0)
            {
                throw new DeltaFormatException("block is truncated (range decoder ran past its end)", _end);
            }

            _bufferLen = (int)Math.Min(remaining, _buffer.Length);
            _source!.Read(_next, _buffer.AsSpan(0, _bufferLen));
            _next += _bufferLen;
            _bufferPos = 0;
        }

        return _buffer[_bufferPos++];
    }
}
