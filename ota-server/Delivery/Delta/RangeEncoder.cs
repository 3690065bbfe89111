using AtymSecure.Formats.Delta.SeqDiff;

namespace AtymSecure.Delivery.Delta;

/// <summary>
/// Binary adaptive range encoder, the exact mirror of the device's RangeDecoder (LZMA
/// construction: 11-bit probabilities, shift-5 adaptation, carry propagation through a cache byte).
/// </summary>
internal sealed class RangeEncoder
{
    private readonly List<byte> _output;
    private ulong _low;
    private uint _range = 0xFFFFFFFF;
    private byte _cache;
    private long _cacheSize = 1;

    public RangeEncoder(List<byte> output) => _output = output;

    /// <summary>Approximate cost in 1/16 bit units of coding <paramref name="bit"/> with probability <paramref name="p"/> (for parsing decisions).</summary>
    public static int Cost(ushort p, int bit)
    {
        double probability = (bit == 0 ? p : (1 << SeqDiffLayout.ProbBits) - p) / (double)(1 << SeqDiffLayout.ProbBits);
        return (int)(-Math.Log2(probability) * 16);
    }

    public void EncodeBit(ushort[] probabilities, int index, int bit)
    {
        uint p = probabilities[index];
        uint bound = (_range >> SeqDiffLayout.ProbBits) * p;
        if (bit == 0)
        {
            _range = bound;
            probabilities[index] = (ushort)(p + (((1u << SeqDiffLayout.ProbBits) - p) >> SeqDiffLayout.MoveBits));
        }
        else
        {
            _low += bound;
            _range -= bound;
            probabilities[index] = (ushort)(p - (p >> SeqDiffLayout.MoveBits));
        }

        while (_range < SeqDiffLayout.TopValue)
        {
            _range <<= 8;
            ShiftLow();
        }
    }

    public void EncodeDirect(uint value, int count)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            _range >>= 1;
            if (((value >> i) & 1) != 0)
            {
                _low += _range;
            }

            while (_range < SeqDiffLayout.TopValue)
            {
                _range <<= 8;
                ShiftLow();
            }
        }
    }

    public void EncodeTree(ushort[] probabilities, int offset, int bits, int value)
    {
        int m = 1;
        for (int i = bits - 1; i >= 0; i--)
        {
            int bit = (value >> i) & 1;
            EncodeBit(probabilities, offset + m, bit);
            m = (m << 1) | bit;
        }
    }

    /// <summary>Codes <paramref name="value"/> with the SeqDiff number coder in context <paramref name="context"/>.</summary>
    public void EncodeNumber(ushort[] probabilities, int context, ulong value)
    {
        if (value >= (1UL << SeqDiffLayout.NumberMaxBits) * 2 - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(value), "number too large for the SeqDiff number coder");
        }

        ulong v = value + 1;
        int n = 63 - System.Numerics.BitOperations.LeadingZeroCount(v);
        int baseOffset = SeqDiffLayout.NumbersOffset + (context * SeqDiffLayout.NumberContextSize);
        EncodeTree(probabilities, baseOffset - 1, 6, n);
        int modeled = Math.Min(n, SeqDiffLayout.NumberMantissaTreeBits);
        int treeOffset = baseOffset + SeqDiffLayout.NumberLengthTree + (n << SeqDiffLayout.NumberMantissaTreeBits) - 1;
        int m = 1;
        for (int i = 0; i < modeled; i++)
        {
            int bit = (int)((v >> (n - 1 - i)) & 1);
            EncodeBit(probabilities, treeOffset + m, bit);
            m = (m << 1) | bit;
        }

        int direct = n - modeled;
        if (direct > 0)
        {
            EncodeDirect((uint)(v & ((1UL << direct) - 1)), direct);
        }
    }

    public void Finish()
    {
        for (int i = 0; i < 5; i++)
        {
            ShiftLow();
        }
    }

    private void ShiftLow()
    {
        if ((uint)_low < 0xFF000000u || (_low >> 32) != 0)
        {
            byte carry = (byte)(_low >> 32);
            byte temp = _cache;
            do
            {
                _output.Add((byte)(temp + carry));
                temp = 0xFF;
            }
            while (--_cacheSize != 0);
            _cache = (byte)((uint)_low >> 24);
        }

        _cacheSize++;
        _low = (_low & 0x00FFFFFF) << 8;
    }
}
