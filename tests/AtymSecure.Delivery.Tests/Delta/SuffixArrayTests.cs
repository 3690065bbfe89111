using AtymSecure.Delivery.Delta;
using CsCheck;

namespace AtymSecure.Delivery.Tests.Delta;

public class SuffixArrayTests
{
    [Fact]
    public void Suffix_array_equals_a_naive_sort_of_all_suffixes()
    {
        Gen.Select(Gen.Int[1, 256], Gen.Int[0, 400]).SelectMany((alphabet, length) =>
            Gen.Int[0, alphabet - 1].Select(b => (byte)b).Array[length]).Sample(text =>
        {
            var expected = Enumerable.Range(0, text.Length).ToArray();
            Array.Sort(expected, (a, b) => text.AsSpan(a).SequenceCompareTo(text.AsSpan(b)));
            Assert.Equal(expected, SuffixArray.Build(text));
        }, iter: 2000);
    }

    [Fact]
    public void Known_example_banana()
    {
        Assert.Equal([5, 3, 1, 0, 4, 2], SuffixArray.Build("banana"u8));
    }

    [Fact]
    public void Search_finds_the_longest_match_in_the_old_image()
    {
        var old = "the quick brown fox jumps over the lazy dog"u8.ToArray();
        var sa = SuffixArray.Build(old);
        int length = BsdiffMatcher.Search(sa, old, "lazy cat"u8, out int position);
        Assert.Equal(5, length);
        Assert.Equal(35, position);
    }
}
