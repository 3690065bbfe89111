using AtymSecure.Primitives;
using System.Text;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;
using CsCheck;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Json;

/// <summary>
/// Property tests of the strict reader and the canonical writer. The suite runs 100k cases per parser (measured
/// CPU cost in docs/update-metadata.md, "Fuzzing"); a longer run for a release: <c>ATYM_FUZZ_ITERATIONS=10000000
/// dotnet test tests/AtymSecure.Formats.Tests --filter "FullyQualifiedName~UpdateMetadata&amp;FullyQualifiedName~Fuzz"</c>.
/// </summary>
public class CanonicalJsonFuzzTests
{
    internal static long Iterations => long.TryParse(Environment.GetEnvironmentVariable("ATYM_FUZZ_ITERATIONS"), out var n) ? n : 100_000;

    /// <summary>Printable ASCII, JSON's specials, controls, Latin-1, CJK, the private-use area and an astral pair.</summary>
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Char["abcAB_-/.:0 \"\\\n\t\u0001\u007f\u00e9\u4e2d\uE000\uFF01"].Array[0, 8].Select(c => new string(c)),
        Gen.Const("\U0001F600"),
        Gen.Char['\u0000', '\uD7FF'].Array[0, 4].Select(c => new string(c)));

    internal static readonly Gen<CanonicalJsonValue> Values = Gen.Recursive<CanonicalJsonValue>((depth, inner) =>
    {
        var leaf = Gen.OneOf<CanonicalJsonValue>(
            Text.Select(s => (CanonicalJsonValue)new CanonicalJsonString(s)),
            Gen.Long[-CanonicalJsonValue.MaxSafeInteger, CanonicalJsonValue.MaxSafeInteger].Select(n => (CanonicalJsonValue)new CanonicalJsonInteger(n)),
            Gen.Int[-3, 3].Select(n => (CanonicalJsonValue)new CanonicalJsonInteger(n)),
            Gen.Bool.Select(b => (CanonicalJsonValue)new CanonicalJsonBoolean(b)),
            Gen.Const<CanonicalJsonValue>(CanonicalJsonNull.Instance));
        if (depth >= 4) return leaf;
        var array = inner.Array[0, 4].Select(items => (CanonicalJsonValue)new CanonicalJsonArray(items));
        var obj = Gen.Select(Text, inner).Array[0, 4].Select(members => (CanonicalJsonValue)new CanonicalJsonObject(
            new EquatableMap<CanonicalJsonValue>(members.DistinctBy(m => m.Item1, StringComparer.Ordinal).Select(m => KeyValuePair.Create(m.Item1, m.Item2)))));
        return Gen.Frequency((4, leaf), (1, array), (1, obj));
    });

    [Fact]
    public void Random_bytes_give_a_value_or_metadata_malformed() =>
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            try { StrictJsonReader.Parse(bytes); }
            catch (MetadataRefusedException e) when (e.Code == ReasonCodes.MetadataMalformed) { }
        }, iter: Iterations);

    [Fact]
    public void Json_like_text_gives_a_value_or_metadata_malformed() =>
        Gen.Char["{}[]\",:0123456789-.eE \\tfalsenul\u00e9"].Array[0, 40].Sample(chars =>
        {
            try { StrictJsonReader.Parse(Encoding.UTF8.GetBytes(chars)); }
            catch (MetadataRefusedException e) when (e.Code == ReasonCodes.MetadataMalformed) { }
        }, iter: Iterations);

    [Fact]
    public void Every_value_round_trips_through_the_document_form() =>
        Values.Sample(value =>
        {
            var document = CanonicalJsonWriter.EncodeDocument(value);
            var read = StrictJsonReader.Parse(document);
            Assert.Equal(value, read);
            Assert.Equal(CanonicalJsonWriter.Encode(value), CanonicalJsonWriter.Encode(read));
        }, iter: Iterations / 10); // a writer property, not a parser of untrusted bytes: 10k trees keep it near a second
}
