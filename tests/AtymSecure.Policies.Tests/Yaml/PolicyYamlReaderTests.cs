using System.Text;
using AtymSecure.Policies.Yaml;
using AtymSecure.Primitives;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Tests.Yaml;

public class PolicyYamlReaderTests
{
    private static List<Problem> Problems(string yaml) => Problems(Encoding.UTF8.GetBytes(yaml));

    private static List<Problem> Problems(byte[] bytes)
    {
        var problems = new List<Problem>();
        var root = PolicyYamlReader.Read("p.yaml", bytes, problems);
        Assert.Equal(problems.Count == 0, root is not null);
        return problems;
    }

    [Fact]
    public void Nodes_keep_their_line_and_column()
    {
        var problems = new List<Problem>();
        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)PolicyYamlReader.Read("p.yaml", "a: 1\nb:\n  - x\n  -   y\n"u8, problems)!;
        var list = (YamlDotNet.RepresentationModel.YamlSequenceNode)root.Children[new YamlDotNet.RepresentationModel.YamlScalarNode("b")];
        Assert.Equal(new SourcePosition("p.yaml", 4, 7), PolicyYamlReader.At("p.yaml", list.Children[1].Start));
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_before_it_is_parsed()
    {
        var p = Assert.Single(Problems(new byte[PolicyLimits.MaxFileBytes + 1]));
        Assert.Equal(FileTooLarge, p.Code);
        Assert.Equal(new SourcePosition("p.yaml", 1, 1), p.Position);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_with_its_position()
    {
        var yaml = string.Concat(Enumerable.Repeat("[", PolicyLimits.MaxDepth + 2)) + string.Concat(Enumerable.Repeat("]", PolicyLimits.MaxDepth + 2));
        var p = Assert.Single(Problems(yaml));
        Assert.Equal(TooDeep, p.Code);
        Assert.Equal(1, p.Position!.Value.Line);
        Assert.Equal(PolicyLimits.MaxDepth + 2, p.Position!.Value.Column);
    }

    [Fact]
    public void More_nodes_than_the_limit_are_refused()
    {
        var yaml = "[" + string.Join(",", Enumerable.Repeat("1", PolicyLimits.MaxNodes + 1)) + "]";
        Assert.Equal(TooManyNodes, Assert.Single(Problems(yaml)).Code);
    }

    [Theory]
    [InlineData("a: &x 1\nb: *x\n", AnchorNotAllowed, 1, 4)]
    [InlineData("a: !!str 1\n", TagNotAllowed, 1, 4)]
    [InlineData("? [a]\n: 1\n", KeyNotString, 1, 3)]
    [InlineData("a: 1\n---\nb: 2\n", MultipleDocuments, 2, 1)]
    [InlineData("a: [1\n", Malformed, 2, 1)]
    [InlineData("", DocumentEmpty, 1, 1)]
    public void Refusals_name_the_rule_and_the_place(string yaml, string code, int line, int column)
    {
        var p = Assert.Single(Problems(yaml));
        Assert.Equal(code, p.Code);
        Assert.Equal(new SourcePosition("p.yaml", line, column), p.Position);
    }

    [Fact]
    public void An_alias_bomb_is_refused_at_its_first_anchor()
    {
        var yaml = "a: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\n";
        Assert.Equal(AnchorNotAllowed, Assert.Single(Problems(yaml)).Code);
    }

    [Fact]
    public void Every_duplicate_key_is_reported_with_both_lines()
    {
        var problems = Problems("a: 1\nb: 2\na: 3\nb: 4\n");
        Assert.Equal([DuplicateKey, DuplicateKey], problems.Select(p => p.Code));
        Assert.Contains("first at line 1", problems[0].Message, StringComparison.Ordinal);
        Assert.Equal(3, problems[0].Position!.Value.Line);
    }

    [Fact]
    public void Invalid_utf8_is_refused()
    {
        var p = Assert.Single(Problems([(byte)'a', (byte)':', (byte)' ', 0xC3, 0x28]));
        Assert.Equal(Malformed, p.Code);
        Assert.Contains("UTF-8", p.Message, StringComparison.Ordinal);
    }
}
