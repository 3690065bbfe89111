namespace AtymSecure.Delivery.Delta;

/// <summary>
/// Suffix array by induced sorting (SA-IS, Nong/Zhang/Chan 2009): O(n) time, used to find the
/// longest match of new-image bytes anywhere in the old image.
/// </summary>
public static class SuffixArray
{
    /// <summary>Suffix array of <paramref name="text"/>: start offsets of its suffixes in lexicographic order.</summary>
    public static int[] Build(ReadOnlySpan<byte> text)
    {
        var symbols = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            symbols[i] = text[i];
        }

        return Sais(symbols, 255);
    }

    // Recursive SA-IS over an integer alphabet 0..upper without an explicit sentinel.
    private static int[] Sais(int[] s, int upper)
    {
        int n = s.Length;
        switch (n)
        {
            case 0:
                return [];
            case 1:
                return [0];
            case 2:
                return s[0] < s[1] ? [0, 1] : [1, 0];
        }

        var sa = new int[n];
        var isS = new bool[n];
        for (int i = n - 2; i >= 0; i--)
        {
            isS[i] = s[i] == s[i + 1] ? isS[i + 1] : s[i] < s[i + 1];
        }

        var sumL = new int[upper + 2];
        var sumS = new int[upper + 2];
        for (int i = 0; i < n; i++)
        {
            if (!isS[i])
            {
                sumS[s[i]]++;
            }
            else
            {
                sumL[s[i] + 1]++;
            }
        }

        for (int i = 0; i <= upper; i++)
        {
            sumS[i] += sumL[i];
            if (i < upper)
            {
                sumL[i + 1] += sumS[i];
            }
        }

        var bucket = new int[upper + 2];
        void Induce(int[] lms, int count)
        {
            Array.Fill(sa, -1);
            Array.Copy(sumS, bucket, upper + 1);
            for (int k = 0; k < count; k++)
            {
                int d = lms[k];
                if (d != n)
                {
                    sa[bucket[s[d]]++] = d;
                }
            }

            Array.Copy(sumL, bucket, upper + 1);
            sa[bucket[s[n - 1]]++] = n - 1;
            for (int i = 0; i < n; i++)
            {
                int v = sa[i];
                if (v >= 1 && !isS[v - 1])
                {
                    sa[bucket[s[v - 1]]++] = v - 1;
                }
            }

            Array.Copy(sumL, bucket, upper + 1);
            for (int i = n - 1; i >= 0; i--)
            {
                int v = sa[i];
                if (v >= 1 && isS[v - 1])
                {
                    sa[--bucket[s[v - 1] + 1]] = v - 1;
                }
            }
        }

        var lmsMap = new int[n + 1];
        Array.Fill(lmsMap, -1);
        int m = 0;
        for (int i = 1; i < n; i++)
        {
            if (!isS[i - 1] && isS[i])
            {
                lmsMap[i] = m++;
            }
        }

        var lmsPositions = new int[m];
        for (int i = 1, k = 0; i < n; i++)
        {
            if (!isS[i - 1] && isS[i])
            {
                lmsPositions[k++] = i;
            }
        }

        Induce(lmsPositions, m);
        if (m == 0)
        {
            return sa;
        }

        var sortedLms = new int[m];
        for (int i = 0, k = 0; i < n; i++)
        {
            if (lmsMap[sa[i]] != -1)
            {
                sortedLms[k++] = sa[i];
            }
        }

        var reduced = new int[m];
        int reducedUpper = 0;
        reduced[lmsMap[sortedLms[0]]] = 0;
        for (int i = 1; i < m; i++)
        {
            int l = sortedLms[i - 1];
            int r = sortedLms[i];
            int endL = lmsMap[l] + 1 < m ? lmsPositions[lmsMap[l] + 1] : n;
            int endR = lmsMap[r] + 1 < m ? lmsPositions[lmsMap[r] + 1] : n;
            bool same = true;
            if (endL - l != endR - r)
            {
                same = false;
            }
            else
            {
                while (l < endL && s[l] == s[r])
                {
                    l++;
                    r++;
                }

                if (l == n || r == n || s[l] != s[r])
                {
                    same = false;
                }
            }

            if (!same)
            {
                reducedUpper++;
            }

            reduced[lmsMap[sortedLms[i]]] = reducedUpper;
        }

        var reducedSa = Sais(reduced, reducedUpper);
        for (int i = 0; i < m; i++)
        {
            sortedLms[i] = lmsPositions[reducedSa[i]];
        }

        Induce(sortedLms, m);
        return sa;
    }
}
