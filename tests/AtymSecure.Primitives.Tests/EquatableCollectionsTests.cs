using System.Text.Json;
using AtymSecure.TestSupport;
using CsCheck;

namespace AtymSecure.Primitives.Tests;

/// <summary>
/// The equatable collections give records generated value equality, including records System.Text.Json builds: it
/// populates them through their converter, writes them as it writes lists and (sorted) dictionaries, and refuses a
/// duplicate key instead of keeping the last.
/// </summary>
public class EquatableCollectionsTests
{
    private sealed record Document(string Name, EquatableList<string> Steps, EquatableMap<int> Sizes, EquatableList<Document>? Children = null);

    private sealed record PlainDocument(string Name, List<string> Steps, SortedDictionary<string, int> Sizes, List<PlainDocument>? Children = null);

    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    private const string Json = """{"name":"a","steps":["x","y"],"sizes":{"b":2,"a":1},"children":[{"name":"c","steps":[],"sizes":{}}]}""";

    [Fact]
    public void Records_deserialised_twice_are_equal_and_hash_alike()
    {
        var a = JsonSerializer.Deserialize<Document>(Json, Options)!;
        var b = JsonSerializer.Deserialize<Document>(Json, Options)!;
        Assert.NotSame(a.Steps, b.Steps);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(["x", "y"], a.Steps);
        Assert.Equal(1, a.Sizes["a"]);
        Assert.Equal("c", Assert.Single(a.Children!).Name);
    }

    [Fact]
    public void Every_member_of_a_record_holding_them_takes_part_in_equality()
    {
        var a = JsonSerializer.Deserialize<Document>(Json, Options)!;
        var different = new Document("z", ["y", "x"], new Dictionary<string, int> { ["a"] = 2 }, []);
        Assert.Empty(ValueEqualityProbe.PropertiesIgnoredByEquals(a, different));
    }

    [Fact]
    public void They_serialise_exactly_as_a_list_and_a_sorted_dictionary_do() =>
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 0, 6].List[0, 5], Gen.Dictionary(Gen.String[Gen.Char.AlphaNumeric, 1, 4], Gen.Int)[0, 6]).Sample((steps, sizes) =>
        {
            var equatable = new Document("n", [.. steps], new EquatableMap<int>(sizes), [new Document("c", [], EquatableMap<int>.Empty)]);
            var plain = new PlainDocument("n", steps, new SortedDictionary<string, int>(sizes, StringComparer.Ordinal),
                [new PlainDocument("c", [], new SortedDictionary<string, int>(StringComparer.Ordinal))]);
            var bytes = JsonSerializer.SerializeToUtf8Bytes(equatable, Options);
            Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(plain, Options), bytes);
            Assert.Equal(equatable, JsonSerializer.Deserialize<Document>(bytes, Options));
        });

    [Fact]
    public void A_key_given_twice_is_refused_not_overwritten()
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Document>("""{"name":"a","steps":[],"sizes":{"a":1,"a":2}}""", Options));
        Assert.Contains("'a' is given twice", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"a","steps":{},"sizes":{}}""")]
    [InlineData("""{"name":"a","steps":[],"sizes":[]}""")]
    [InlineData("""{"name":"a","steps":[1],"sizes":{}}""")]
    public void The_wrong_JSON_shape_fails_as_JSON(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Document>(json, Options));

    [Fact]
    public void Lists_compare_in_order_and_maps_in_any_order()
    {
        Assert.Equal<EquatableList<int>>([1, 2], [1, 2]);
        Assert.NotEqual<EquatableList<int>>([1, 2], [2, 1]);
        var forward = new EquatableMap<int>(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 });
        var backward = new EquatableMap<int>(new Dictionary<string, int> { ["b"] = 2, ["a"] = 1 });
        Assert.Equal(forward, backward);
        Assert.Equal(forward.GetHashCode(), backward.GetHashCode());
        Assert.NotEqual(forward, forward.SetItem("a", 3));
    }
}
