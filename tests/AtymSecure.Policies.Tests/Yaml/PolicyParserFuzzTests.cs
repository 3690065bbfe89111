using System.Text;
using AtymSecure.Policies.Loading;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.Policies.Tests.Yaml;

/// <summary>
/// The parser of untrusted policy bytes never throws: random text, random bytes and random edits of the samples'
/// real policy files end in a document or in typed problems, each with a code, a path and a position in the file.
/// </summary>
public class PolicyParserFuzzTests
{
    private static void ReadsOrRefuses(byte[] bytes)
    {
        var problems = new List<Problem>();
        var document = PolicyDocumentReader.Read("fuzz.yaml", bytes, problems);
        if (document is null) Assert.NotEmpty(problems);
        foreach (var p in problems)
        {
            Assert.False(string.IsNullOrEmpty(p.Code));
            Assert.StartsWith("$", p.Path, StringComparison.Ordinal);
            Assert.Equal("fuzz.yaml", p.Position!.Value.File);
            Assert.True(p.Position!.Value.Line >= 1 && p.Position!.Value.Column >= 1);
        }
    }

    [Fact]
    public void Random_yaml_like_text_never_throws() =>
        Gen.String[Gen.Char["a-z0-9:{}[]&*!|>#'\"\n -,.%@`?"], 0, 120].Sample(text => ReadsOrRefuses(Encoding.UTF8.GetBytes(text)), iter: 3000);

    [Fact]
    public void Random_bytes_never_throw() =>
        Gen.Byte.Array[0, 200].Sample(ReadsOrRefuses, iter: 2000);

    [Fact]
    public void Random_edits_of_the_sample_policies_never_throw()
    {
        var seeds = Directory.GetFiles(TestPaths.SamplePolicies, "*.yaml", SearchOption.AllDirectories).Select(File.ReadAllText).ToArray();
        Gen.Select(Gen.Int[0, seeds.Length - 1], Gen.Select(Gen.Int[0, 100_000], Gen.Char["a-z0-9:{}[]-#\n '\"&*!"], Gen.Int[0, 2]).Array[1, 6]).Sample((seed, edits) =>
        {
            var text = new StringBuilder(seeds[seed]);
            foreach (var (at, c, op) in edits)
            {
                var i = at % (text.Length + 1);
                if (op == 0) text.Insert(i, c);
                else if (i < text.Length && op == 1) text.Remove(i, 1);
                else if (i < text.Length) text[i] = c;
            }
            ReadsOrRefuses(Encoding.UTF8.GetBytes(text.ToString()));
        }, iter: 3000);
    }
}
