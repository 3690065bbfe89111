namespace AtymSecure.Delivery.Delta;

/// <summary>
/// Colin Percival's bsdiff matching (approximate matches found through a suffix array of the old
/// image, extended forwards and backwards while at least half the bytes agree), producing
/// <see cref="DeltaOperation"/>s instead of bsdiff's control/diff/extra files.
/// </summary>
public static class BsdiffMatcher
{
    /// <summary>Operations that rebuild <paramref name="newImage"/> from <paramref name="oldImage"/>.</summary>
    /// <param name="switchGain">How many more matching bytes a new alignment needs before bsdiff switches to it (bsdiff: 8).</param>
    public static List<DeltaOperation> Match(ReadOnlySpan<byte> oldImage, ReadOnlySpan<byte> newImage, int[]? oldSuffixArray = null, int switchGain = 8)
    {
        var ops = new List<DeltaOperation>();
        int oldSize = oldImage.Length;
        int newSize = newImage.Length;
        if (newSize == 0)
        {
            return ops;
        }

        if (oldSize == 0)
        {
            ops.Add(new DeltaOperation(0, 0, 0, newSize));
            return ops;
        }

        var sa = oldSuffixArray ?? SuffixArray.Build(oldImage);
        int scan = 0, len = 0, pos = 0, lastScan = 0, lastPos = 0, lastOffset = 0;
        while (scan < newSize)
        {
            int oldScore = 0;
            int scsc = scan += len;
            for (; scan < newSize; scan++)
            {
                len = Search(sa, oldImage, newImage[scan..], out pos);
                for (; scsc < scan + len; scsc++)
                {
                    if (scsc + lastOffset < oldSize && scsc + lastOffset >= 0 && oldImage[scsc + lastOffset] == newImage[scsc])
                    {
                        oldScore++;
                    }
                }

                if ((len == oldScore && len != 0) || len > oldScore + switchGain)
                {
                    break;
                }

                if (scan + lastOffset < oldSize && scan + lastOffset >= 0 && oldImage[scan + lastOffset] == newImage[scan])
                {
                    oldScore--;
                }
            }

            if (len == oldScore && scan != newSize)
            {
                continue;
            }

            // Extend the previous match forwards while it pays (more than half the bytes equal).
            int s = 0, bestForward = 0, lenForward = 0;
            for (int i = 0; lastScan + i < scan && lastPos + i < oldSize;)
            {
                if (oldImage[lastPos + i] == newImage[lastScan + i])
                {
                    s++;
                }

                i++;
                if ((s * 2) - i > (bestForward * 2) - lenForward)
                {
                    bestForward = s;
                    lenForward = i;
                }
            }

            // Extend the new match backwards the same way.
            int lenBack = 0;
            if (scan < newSize)
            {
                s = 0;
                int bestBack = 0;
                for (int i = 1; scan >= lastScan + i && pos >= i; i++)
                {
                    if (oldImage[pos - i] == newImage[scan - i])
                    {
                        s++;
                    }

                    if ((s * 2) - i > (bestBack * 2) - lenBack)
                    {
                        bestBack = s;
                        lenBack = i;
                    }
                }
            }

            // Split an overlap between the two extensions where it scores best.
            if (lastScan + lenForward > scan - lenBack)
            {
                int overlap = lastScan + lenForward - (scan - lenBack);
                s = 0;
                int bestSplit = 0, lenSplit = 0;
                for (int i = 0; i < overlap; i++)
                {
                    if (newImage[lastScan + lenForward - overlap + i] == oldImage[lastPos + lenForward - overlap + i])
                    {
                        s++;
                    }

                    if (newImage[scan - lenBack + i] == oldImage[pos - lenBack + i])
                    {
                        s--;
                    }

                    if (s > bestSplit)
                    {
                        bestSplit = s;
                        lenSplit = i + 1;
                    }
                }

                lenForward += lenSplit - overlap;
                lenBack -= lenSplit;
            }

            int extra = scan - lenBack - (lastScan + lenForward);
            if (lenForward + extra > 0)
            {
                ops.Add(new DeltaOperation(lastScan, lastPos, lenForward, extra));
            }

            lastScan = scan - lenBack;
            lastPos = pos - lenBack;
            lastOffset = pos - scan;
        }

        return ops;
    }

    /// <summary>Longest prefix of <paramref name="target"/> found in the old image, by binary search of the suffix array.</summary>
    public static int Search(int[] sa, ReadOnlySpan<byte> old, ReadOnlySpan<byte> target, out int position)
    {
        int start = 0, end = sa.Length - 1;
        while (end - start >= 2)
        {
            int middle = start + ((end - start) / 2);
            var suffix = old[sa[middle]..];
            int n = Math.Min(suffix.Length, target.Length);
            if (suffix[..n].SequenceCompareTo(target[..n]) < 0)
            {
                start = middle;
            }
            else
            {
                end = middle;
            }
        }

        int x = MatchLength(old[sa[start]..], target);
        int y = MatchLength(old[sa[end]..], target);
        if (x > y)
        {
            position = sa[start];
            return x;
        }

        position = sa[end];
        return y;
    }

    private static int MatchLength(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) => a.CommonPrefixLength(b);
}
