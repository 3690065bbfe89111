using AtymSecure.Container.Project;
using AtymSecure.Formats.Container;
using AtymSecure.TestSupport;
using CsCheck;
using AtymSecure.Primitives;

namespace AtymSecure.Container.Tests;

public class YamlConfigReaderTests
{
    private static Problem SingleError(string yaml) =>
        Assert.Single(Assert.Throws<ContainerConfigException>(() => YamlConfigReader.Read(yaml)).Problems);

    [Fact]
    public void Reads_plain_and_quoted_scalars_lists_and_maps()
    {
        var root = Assert.IsType<ConfigMap>(YamlConfigReader.Read("a: 1\nb: \"1\"\nc: [x, y]\nd: {e: ~}\n"));
        Assert.Equal(["a", "b", "c", "d"], root.Entries.Select(e => e.Key));
        Assert.Equal(new ConfigScalar("1", ConfigScalarKind.Plain), root.Entries[0].Value);
        Assert.Equal(new ConfigScalar("1", ConfigScalarKind.String), root.Entries[1].Value);
        Assert.Equal(2, Assert.IsType<ConfigList>(root.Entries[2].Value).Items.Count);
        Assert.True(Assert.IsType<ConfigScalar>(Assert.IsType<ConfigMap>(root.Entries[3].Value).Entries[0].Value).IsNull);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("a: &x 1\nb: *x\n", "anchors are not allowed")]
    [InlineData("a: !!binary aGk=\n", "tags are not allowed")]
    [InlineData("a: 1\n---\nb: 2\n", "more than one YAML document")]
    [InlineData("? [a]\n: 1\n", "mapping keys must be plain strings")]
    [InlineData("a: [1, 2\n", "YAML syntax error")]
    [InlineData("a:\n\t- b\n", "YAML syntax error")]
    public void Refuses_what_a_project_file_does_not_need(string yaml, string message) =>
        Assert.Contains(message, SingleError(yaml).Message);

    [Fact]
    public void Refuses_a_billion_laughs_document_without_expanding_it()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n";
        Assert.Contains("anchors are not allowed", SingleError(yaml).Message);
    }

    [Fact]
    public void Enforces_size_depth_and_node_limits()
    {
        Assert.Contains("limit 65536", SingleError("a: " + new string('x', YamlConfigReader.MaxBytes)).Message);
        Assert.Contains("nested deeper than 16", SingleError(string.Concat(Enumerable.Repeat("[", 40)) + new string(']', 40)).Message);
        Assert.Contains("more than 10000 nodes", SingleError("a: [" + string.Join(",", Enumerable.Repeat("1", 10_001)) + "]").Message);
    }

    [Fact]
    public void Random_text_parses_or_fails_with_ContainerConfigException() =>
        Gen.String[Gen.Char["a-z:{}[]&*!|>#'\"\n -"], 0, 60].Sample(text =>
        {
            try { YamlConfigReader.Read(text); }
            catch (ContainerConfigException e) { Assert.NotEmpty(e.Problems); }
        }, iter: 5000);

    [Fact]
    public void Mutated_sample_project_files_load_or_fail_with_ContainerConfigException()
    {
        using var sample = TestPaths.CopySample("anomaly-detector");
        var dir = sample.Path;
        var seed = System.IO.File.ReadAllText(Path.Combine(dir, "atym.yaml"));
        Gen.Select(Gen.Int[0, seed.Length - 1], Gen.Char["a-z0-9:{}[]-#\n '"], Gen.Bool).Array[1, 4].Sample(edits =>
        {
            var text = seed.ToCharArray().ToList();
            foreach (var (at, c, insert) in edits)
            {
                var i = Math.Min(at, text.Count - 1);
                if (insert) text.Insert(i, c); else text[i] = c;
            }
            try { ContainerProject.Parse(new string([.. text]), dir); }
            catch (ContainerConfigException e) { Assert.NotEmpty(e.Problems); }
        }, iter: 1500);
    }
}
