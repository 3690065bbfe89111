using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Json;

public class CanonicalJsonTests
{
    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    internal static readonly string GoldenDir = Path.GetFullPath(Path.Combine(Here(), "..", "Golden"));

    public static TheoryData<string, string, string> Vectors()
    {
        var data = new TheoryData<string, string, string>();
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GoldenDir, "canonical-json-vectors.json")));
        foreach (var v in doc.RootElement.GetProperty("vectors").EnumerateArray())
            data.Add(v.GetProperty("input").GetString()!, v.GetProperty("expected").GetString()!, v.GetProperty("tufjs").GetString()!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Golden_vectors_encode_byte_for_byte(string input, string expected, string tufjs)
    {
        if (expected == "refused")
        {
            var e = Assert.Throws<MetadataRefusedException>(() => StrictJsonReader.Parse(Encoding.UTF8.GetBytes(input)));
            Assert.Equal(ReasonCodes.MetadataMalformed, e.Code);
            return;
        }
        var value = StrictJsonReader.Parse(Encoding.UTF8.GetBytes(input));
        Assert.Equal(expected, Convert.ToHexStringLower(CanonicalJsonWriter.Encode(value)));
        // The only documented divergence from tuf-js is the astral-versus-U+E000 key order.
        if (!input.Contains("\\ud83d\\ude00\":1", StringComparison.Ordinal)) Assert.Equal(tufjs, expected);
    }

    [Fact]
    public void Golden_vector_file_covers_the_rules()
    {
        var inputs = Vectors().Select(row => (string)row[0]).ToList();
        Assert.Contains(inputs, i => i.Contains("\\u0000", StringComparison.Ordinal));
        Assert.Contains(inputs, i => i.Contains("BEGIN PUBLIC KEY", StringComparison.Ordinal));
        Assert.Contains(inputs, i => i.Contains("\\u00e9", StringComparison.Ordinal));
        Assert.True(inputs.Count >= 20);
    }

    [Fact]
    public void Document_form_escapes_control_characters_and_reads_back_equal()
    {
        var value = CanonicalJsonObject.Of(("pem", "line1\nline2\u0001"), ("q", "\"\\"));
        var canonical = CanonicalJsonWriter.Encode(value);
        var document = CanonicalJsonWriter.EncodeDocument(value);
        Assert.Equal("{\"pem\":\"line1\nline2\u0001\",\"q\":\"\\\"\\\\\"}", Encoding.UTF8.GetString(canonical));
        Assert.Equal("{\"pem\":\"line1\\u000aline2\\u0001\",\"q\":\"\\\"\\\\\"}", Encoding.UTF8.GetString(document));
        Assert.Equal(value, StrictJsonReader.Parse(document));
        using var _ = JsonDocument.Parse(document);
    }

    [Fact]
    public void Code_point_order_puts_astral_characters_after_the_private_use_area()
    {
        string[] keys = ["\uFF01", "\U0001F600", "a", "\u00e9", "\uE000", "B"];
        Assert.Equal(["B", "a", "\u00e9", "\uE000", "\uFF01", "\U0001F600"], keys.Order(CodePointComparer.Instance).ToArray());
        var bytes = keys.Select(Encoding.UTF8.GetBytes).ToList();
        var byUtf8 = bytes.OrderBy(b => b, Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).Select(Encoding.UTF8.GetString);
        Assert.Equal(byUtf8, keys.Order(CodePointComparer.Instance));
    }

    [Fact]
    public void Values_refuse_what_canonical_json_cannot_hold()
    {
        Assert.Throws<ArgumentException>(() => new CanonicalJsonString("lone \uD800 surrogate"));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CanonicalJsonInteger(CanonicalJsonValue.MaxSafeInteger + 1));
        Assert.Throws<ArgumentException>(() => CanonicalJsonObject.Of(("a", 1L), ("a", 2L)));
        Assert.Equal(CanonicalJsonObject.Of(("a", 1L), ("b", null)), CanonicalJsonObject.Of(("a", 1L)));
    }

    public static TheoryData<string, string> Refused => new()
    {
        { "{\"a\":1,\"a\":2}", "$.a" },
        { "{\"a\":{\"b\":1,\"b\":1}}", "$.a.b" },
        { "{\"a\":1.0}", "$.a" },
        { "{\"a\":1e2}", "$.a" },
        { "{\"a\":1E-2}", "$.a" },
        { "{\"a\":-0}", "$.a" },
        { "{\"a\":9007199254740992}", "$.a" },
        { "{\"a\":-9007199254740992}", "$.a" },
        { "{\"a\":123456789012345678901234567890}", "$.a" },
        { "{\"a\":01}", "$" },
        { "{\"a\":1,}", "$" },
        { "[1,]", "$" },
        { "{\"a\":1} // comment", "$" },
        { "/* c */ {}", "$" },
        { "{} {}", "$" },
        { "{}x", "$" },
        { "", "$" },
        { "   ", "$" },
        { "{\"a\":\"\\ud800\"}", "$" },
        { "{\"a\":\"\\udc00x\"}", "$" },
        { "{'a':1}", "$" },
        { "{\"a\":NaN}", "$" },
        { "{\"a\":Infinity}", "$" },
        { "{\"a\":\"raw\ncontrol\"}", "$" },
        { "{\"a\":tru}", "$" },
        { "\"unterminated", "$" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Strict_reader_refuses(string json, string path)
    {
        var e = Assert.Throws<MetadataRefusedException>(() => StrictJsonReader.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(ReasonCodes.MetadataMalformed, e.Code);
        Assert.Equal(path, e.Refusal.Path);
    }

    [Fact]
    public void Strict_reader_refuses_invalid_utf8_and_a_byte_order_mark()
    {
        byte[][] inputs = [[(byte)'"', 0xC3, 0x28, (byte)'"'], [(byte)'"', 0xED, 0xA0, 0x80, (byte)'"'], [0xEF, 0xBB, 0xBF, (byte)'{', (byte)'}'], [(byte)'"', 0xFF, (byte)'"']];
        foreach (var input in inputs)
            Assert.Equal(ReasonCodes.MetadataMalformed, Assert.Throws<MetadataRefusedException>(() => StrictJsonReader.Parse(input)).Code);
    }

    [Fact]
    public void Strict_reader_caps_nesting_depth()
    {
        var ok = new string('[', StrictJsonReader.MaxDepth) + new string(']', StrictJsonReader.MaxDepth);
        StrictJsonReader.Parse(Encoding.ASCII.GetBytes(ok));
        var deep = new string('[', StrictJsonReader.MaxDepth + 1) + new string(']', StrictJsonReader.MaxDepth + 1);
        Assert.Equal(ReasonCodes.MetadataMalformed,
            Assert.Throws<MetadataRefusedException>(() => StrictJsonReader.Parse(Encoding.ASCII.GetBytes(deep))).Code);
        var veryDeep = new string('[', 100_000);
        Assert.Throws<MetadataRefusedException>(() => StrictJsonReader.Parse(Encoding.ASCII.GetBytes(veryDeep)));
    }

    [Fact]
    public void Member_paths_quote_names_that_are_not_identifiers()
    {
        Assert.Equal("$.signed.version", StrictJsonReader.MemberPath("$.signed", "version"));
        Assert.Equal("$.targets[\"images/a.img\"]", StrictJsonReader.MemberPath("$.targets", "images/a.img"));
    }
}
