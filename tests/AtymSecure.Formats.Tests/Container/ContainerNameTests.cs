using System.Text.RegularExpressions;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.Formats.Tests.Container;

/// <summary>The one container-name rule, and that the config validator and the bundle header both apply it.</summary>
public sealed class ContainerNameTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("0")]
    [InlineData("sensor-filter")]
    [InlineData("a-b-c-1")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")] // 32, the on-flash limit
    public void Accepts_names_of_the_rule(string text)
    {
        var name = ContainerName.Parse(text);
        Assert.Equal(text, name.Value);
        Assert.Equal(text, name.ToString());
        Assert.Equal(ContainerName.Parse(text), name);
    }

    [Theory]
    [InlineData(null, "invalid-name", "empty")]
    [InlineData("", "invalid-name", "empty")]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456", "invalid-name", "33 characters, at most 32")]
    [InlineData("Sensor", "invalid-name", "has 'S'")]
    [InlineData("my.app", "invalid-name", "has '.'")]
    [InlineData("my_app", "invalid-name", "has '_'")]
    [InlineData("my app", "invalid-name", "has '\\u0020'")]
    [InlineData("-app", "invalid-name", "starts or ends with '-'")]
    [InlineData("app-", "invalid-name", "starts or ends with '-'")]
    [InlineData("caf\u00e9", "invalid-name", "has '\\u00E9'")]
    public void Refuses_everything_else_with_one_problem_that_says_why(string? text, string code, string reason)
    {
        Assert.False(ContainerName.TryParse(text, "$.name", out var name, out var problem));
        Assert.Null(name);
        Assert.Equal((code, "$.name"), (problem.Code, problem.Path));
        Assert.Contains(reason, problem.Message, StringComparison.Ordinal);
        Assert.Contains("1-32 characters of [a-z0-9-]", problem.Message, StringComparison.Ordinal);
        var e = Assert.Throws<ProblemException>(() => ContainerName.Parse(text, "--container"));
        Assert.Equal("--container", Assert.Single(e.Problems).Path);
    }

    [Fact]
    public void A_long_untrusted_name_is_not_echoed_whole()
    {
        var problem = ContainerName.Check(new string('a', 100_000), "header.containerName")!;
        Assert.Contains("100000 characters", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Message.Length < 300, problem.Message);
    }

    [Fact]
    public void The_check_agrees_with_the_published_grammar_on_any_text()
    {
        var grammar = new Regex($"^{ContainerName.Grammar}$", RegexOptions.CultureInvariant);
        var text = Gen.OneOf(Gen.String[Gen.Char["az09-._A "], 0, 40], Gen.String, Gen.String[Gen.Char["ab-"], 30, 34]);
        text.Sample(t => Assert.Equal(grammar.IsMatch(t), ContainerName.IsValid(t)), iter: 20_000);
    }

    [Fact]
    public void Names_compare_ordinally_by_value()
    {
        Assert.True(ContainerName.Parse("a").CompareTo(ContainerName.Parse("b")) < 0);
        Assert.Equal(ContainerName.Parse("x-1").GetHashCode(), ContainerName.Parse("x-1").GetHashCode());
    }

    [Theory]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789abcd", false)]
    [InlineData("my.app", false)]
    public void The_config_validator_applies_the_rule(string name, bool valid) =>
        Assert.Equal(valid, ContainerConfigValidator.Validate(new ContainerConfig { Name = name, Version = SemanticVersion.Parse("1.0.0") }).All(e => e.Path != "$.name"));
}
