using AtymSecure.TestSupport;
using AtymSecure.Formats.Wasm;
using CsCheck;

namespace AtymSecure.Formats.Tests.Wasm;

/// <summary>
/// Mutation fuzzing: random byte flips, truncations, insertions and LEB128-ish garbage over valid modules
/// (hand-made and the committed samples). The parser must either succeed or throw WasmFormatException.
/// </summary>
public class WasmParserFuzzTests
{
    private static readonly byte[][] Seeds =
    [
        WasmBytes.Valid(),
        File.ReadAllBytes(RepositoryRoot.File("samples/faulty/faulty.wasm")),
        File.ReadAllBytes(RepositoryRoot.File("samples/sensor-filter/sensor-filter.wasm")),
    ];

    private static void ParseOrTypedError(byte[] bytes)
    {
        try
        {
            WasmModuleParser.Parse(bytes);
        }
        catch (WasmFormatException)
        {
            // the only failure allowed
        }
    }

    private static readonly Gen<byte[]> Mutated =
        from seed in Gen.Int[0, Seeds.Length - 1].Select(i => Seeds[i])
        from edits in Gen.Select(Gen.Int[0, 3], Gen.Int[0, int.MaxValue], Gen.Byte).Array[1, 8]
        select Apply(seed, edits);

    private static byte[] Apply(byte[] seed, (int Kind, int Position, byte Value)[] edits)
    {
        var bytes = seed.ToList();
        foreach (var (kind, position, value) in edits)
        {
            if (bytes.Count == 0) break;
            var at = position % bytes.Count;
            switch (kind)
            {
                case 0: bytes[at] = value; break;
                case 1: bytes.RemoveRange(at, bytes.Count - at); break;
                case 2: bytes.Insert(at, value); break;
                default: bytes.InsertRange(at, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]); break; // a huge u32
            }
        }
        return [.. bytes];
    }

    [Fact]
    public void Mutated_modules_parse_or_fail_with_WasmFormatException() =>
        Mutated.Sample(ParseOrTypedError, iter: 1500);

    [Fact]
    public void Random_bytes_after_a_valid_header_parse_or_fail_with_WasmFormatException() =>
        Gen.Byte.Array[0, 200].Select(tail => (byte[])[.. WasmBytes.Header, .. tail]).Sample(ParseOrTypedError, iter: 3000);

    [Fact]
    public void A_truncated_sample_parses_only_when_cut_exactly_at_a_section_boundary()
    {
        var sample = Seeds[1];
        var boundaries = WasmModuleParser.Parse(sample).Sections.Select(s => (int)s.Offset).Append(sample.Length).ToHashSet();
        var rejected = 0;
        for (var length = 0; length < sample.Length; length++)
        {
            try
            {
                WasmModuleParser.Parse(sample.AsSpan(0, length));
                Assert.True(boundaries.Contains(length), $"a prefix of {length} bytes, inside a section, parsed");
            }
            catch (WasmFormatException)
            {
                rejected++;
            }
        }
        Assert.True(rejected > sample.Length - boundaries.Count - 1, $"only {rejected} of {sample.Length} prefixes rejected");
    }
}
