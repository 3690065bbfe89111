using CsCheck;

namespace AtymSecure.Primitives.Tests;

public class ValueEqualityTests
{
    [Fact]
    public void Byte_arrays_compare_by_content_and_null_only_equals_null()
    {
        Assert.True(ValueEquality.Bytes([1, 2], [1, 2]));
        Assert.False(ValueEquality.Bytes([1, 2], [2, 1]));
        Assert.False(ValueEquality.Bytes([], null));
        Assert.True(ValueEquality.Bytes(null, null));
        Assert.Equal(ValueEquality.BytesHash([1, 2]), ValueEquality.BytesHash([1, 2]));
        Assert.True(ValueEquality.ByteArrays.Equals([3], [3]));
    }

    [Fact]
    public void Lists_compare_in_order_with_an_item_comparer()
    {
        IReadOnlyList<byte[]> a = [[1], [2]];
        IReadOnlyList<byte[]> b = [[1], [2]];
        Assert.False(ValueEquality.Lists(a, b));
        Assert.True(ValueEquality.Lists(a, b, ValueEquality.ByteArrays));
        Assert.Equal(ValueEquality.ListHash(a, ValueEquality.ByteArrays), ValueEquality.ListHash(b, ValueEquality.ByteArrays));
        Assert.False(ValueEquality.Lists<int>([1, 2], [2, 1]));
        Assert.False(ValueEquality.Lists<int>([1], null));
    }

    [Fact]
    public void Dictionaries_compare_in_any_order_and_hash_alike() =>
        Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 4], Gen.Int)[0, 8].Sample(entries =>
        {
            var forward = new Dictionary<string, int>(entries);
            var backward = new SortedDictionary<string, int>(entries.Reverse().ToDictionary(), StringComparer.Ordinal);
            Assert.True(ValueEquality.Dictionaries(forward, backward));
            Assert.Equal(ValueEquality.DictionaryHash(forward), ValueEquality.DictionaryHash(backward));
            if (entries.Count > 0)
            {
                var changed = new Dictionary<string, int>(entries) { [entries.Keys.First()] = entries.Values.First() + 1 };
                Assert.False(ValueEquality.Dictionaries(forward, changed));
            }
        });
}
