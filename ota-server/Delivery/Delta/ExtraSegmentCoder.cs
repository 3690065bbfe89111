using AtymSecure.Formats.Delta.SeqDiff;

namespace AtymSecure.Delivery.Delta;

/// <summary>
/// LZ77 coding of SeqDiff extra segments against the block's own output within the device's
/// window (hash chains, greedy with a repeat-distance preference). Every output byte of the
/// block, diff bytes included, is inserted so matches may reach into them, as on the device.
/// </summary>
internal sealed class ExtraSegmentCoder
{
    private const int HashBits = 16;
    private readonly int _window;
    private readonly int _depth;
    private readonly int[] _head = new int[1 << HashBits];
    private readonly int[] _previous;
    private int _blockStart;
    private int _blockEnd;
    private int _inserted;

    public ExtraSegmentCoder(int windowLog, int depth)
    {
        _window = 1 << windowLog;
        _depth = depth;
        _previous = new int[_window];
    }

    public void BeginBlock(int blockStart, int blockEnd)
    {
        Array.Fill(_head, -1);
        _blockStart = blockStart;
        _blockEnd = blockEnd;
        _inserted = blockStart;
    }

    /// <summary>Makes bytes produced another way (diff segments) visible to later matches.</summary>
    public void Skip(ReadOnlySpan<byte> data, int start, int length) => InsertUpTo(data, start + length);

    /// <summary>
    /// Codes new[start..start+length) as literals, window matches and repeat matches, greedily with a
    /// preference for the cheap repeat distance. (Exact copies from anywhere in the old image were tried here and made
    /// patches larger: bsdiff matching already takes every old match longer than 8 bytes.)
    /// </summary>
    public void Encode(
        RangeEncoder rc, ushort[] p, ReadOnlySpan<byte> data, int start, int length, ref bool previousWasMatch, ref int lastDistance)
    {
        int pos = start;
        int end = start + length;
        while (pos < end)
        {
            InsertUpTo(data, pos);
            int state = previousWasMatch ? 1 : 0;
            int maxLength = end - pos;
            int repLength = lastDistance > 0 && lastDistance <= pos - _blockStart && lastDistance <= _window
                ? data.Slice(pos, maxLength).CommonPrefixLength(data.Slice(pos - lastDistance, maxLength))
                : 0;
            var (windowLength, windowDistance) = FindMatch(data, pos, maxLength);
            if (repLength >= SeqDiffLayout.MinMatch && repLength + 1 >= windowLength)
            {
                rc.EncodeBit(p, SeqDiffLayout.IsMatchOffset + state, 1);
                rc.EncodeBit(p, SeqDiffLayout.IsRepOffset + state, 1);
                rc.EncodeNumber(p, SeqDiffLayout.NumMatchLength, (ulong)(repLength - SeqDiffLayout.MinMatch));
                pos += repLength;
                previousWasMatch = true;
                continue;
            }

            if (windowLength >= SeqDiffLayout.MinMatch)
            {
                rc.EncodeBit(p, SeqDiffLayout.IsMatchOffset + state, 1);
                rc.EncodeBit(p, SeqDiffLayout.IsRepOffset + state, 0);
                rc.EncodeNumber(p, SeqDiffLayout.NumMatchDistance, (ulong)(windowDistance - 1));
                rc.EncodeNumber(p, SeqDiffLayout.NumMatchLength, (ulong)(windowLength - SeqDiffLayout.MinMatch));
                pos += windowLength;
                lastDistance = windowDistance;
                previousWasMatch = true;
                continue;
            }

            int previous = pos > _blockStart ? data[pos - 1] : 0;
            rc.EncodeBit(p, SeqDiffLayout.IsMatchOffset + state, 0);
            rc.EncodeTree(p, SeqDiffLayout.ExtraLiteralOffset + ((previous >> SeqDiffLayout.ExtraLiteralContextShift) * 256) - 1, 8, data[pos]);
            pos++;
            previousWasMatch = false;
        }

        InsertUpTo(data, end);
    }

    private (int Length, int Distance) FindMatch(ReadOnlySpan<byte> data, int pos, int maxLength)
    {
        if (maxLength < SeqDiffLayout.MinMatch || pos + 4 > _blockEnd)
        {
            return (0, 0);
        }

        int bestLength = 0, bestDistance = 0;
        int candidate = _head[Hash(data, pos)];
        int lowest = Math.Max(_blockStart, pos - _window);
        var target = data.Slice(pos, maxLength);
        for (int steps = 0; candidate >= lowest && steps < _depth; steps++)
        {
            int length = data.Slice(candidate, maxLength).CommonPrefixLength(target);
            if (length > bestLength)
            {
                bestLength = length;
                bestDistance = pos - candidate;
                if (length == maxLength)
                {
                    break;
                }
            }

            int next = _previous[candidate & (_window - 1)];
            if (next >= candidate)
            {
                break;
            }

            candidate = next;
        }

        return (bestLength, bestDistance);
    }

    private void InsertUpTo(ReadOnlySpan<byte> data, int end)
    {
        for (; _inserted < end; _inserted++)
        {
            if (_inserted + 4 > _blockEnd)
            {
                continue;
            }

            int h = Hash(data, _inserted);
            _previous[_inserted & (_window - 1)] = _head[h];
            _head[h] = _inserted;
        }
    }

    private static int Hash(ReadOnlySpan<byte> data, int pos)
    {
        uint v = (uint)(data[pos] | (data[pos + 1] << 8) | (data[pos + 2] << 16) | (data[pos + 3] << 24));
        return (int)((v * 2654435761u) >> (32 - HashBits));
    }
}
