using System.Text.RegularExpressions;
using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>The container-name glob of docs/trust-model.md §2: what it matches, what it refuses, and agreement with a regex oracle.</summary>
public class ContainerNamePatternTests
{
    [Theory]
    [InlineData("acme-*", "acme-sensor", true)]
    [InlineData("acme-*", "acme-", true)]
    [InlineData("acme-*", "beta-sensor", false)]
    [InlineData("acme-*", "xacme-sensor", false)]
    [InlineData("*", "anything-at-all", true)]
    [InlineData("app?", "app1", true)]
    [InlineData("app?", "app", false)]
    [InlineData("app?", "app12", false)]
    [InlineData("acme-*,legacy-app", "legacy-app", true)]
    [InlineData("acme-*,legacy-app", "legacy-app2", false)]
    [InlineData("*-filter", "sensor-filter", true)]
    [InlineData("a*b*c", "aXbc", false)] // upper case is no name character, for '*' either
    [InlineData("a*b*c", "a1b2c", true)]
    public void Matches_as_the_grammar_says(string pattern, string name, bool expected) =>
        Assert.Equal(expected, ContainerNamePattern.Parse(pattern).Matches(name));

    [Theory]
    [InlineData("")]
    [InlineData("acme-*,")]
    [InlineData(",acme")]
    [InlineData("Acme-*")]
    [InlineData("acme/*")]
    [InlineData("acme *")]
    [InlineData("acme\n")]
    public void Text_outside_the_grammar_is_refused_with_its_code(string pattern)
    {
        Assert.False(ContainerNamePattern.TryParse(pattern, "--trust", out _, out var problem));
        Assert.Equal((TrustAnchorProblemCodes.InvalidPattern, "--trust"), (problem.Code, problem.Path));
    }

    [Fact]
    public void A_pattern_over_its_length_limit_is_refused_without_echoing_it()
    {
        var e = Assert.Throws<ProblemException>(() => ContainerNamePattern.Parse(new string('a', ContainerNamePattern.MaxLength + 1)));
        Assert.Contains("at most 256", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('a', 100), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Patterns_compare_by_their_text() =>
        Assert.Equal(ContainerNamePattern.Parse("acme-*,b"), ContainerNamePattern.Parse(string.Concat("acme-*", ",b")));

    /// <summary>Oracle: the grammar as a regular expression.</summary>
    private static bool RegexMatches(string pattern, string name)
    {
        var alternatives = pattern.Split(',').Select(a => string.Concat(a.Select(c => c switch
        {
            '*' => "[a-z0-9._-]*",
            '?' => "[a-z0-9._-]",
            _ => Regex.Escape(c.ToString()),
        })));
        return Regex.IsMatch(name, "^(?:" + string.Join("|", alternatives) + ")$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void Matching_agrees_with_the_regex_oracle_on_random_patterns_and_names()
    {
        var alternative = Gen.String[Gen.Char["ab-.*?*"], 1, 6];
        var pattern = alternative.Array[1, 3].Select(a => string.Join(",", a));
        var name = Gen.String[Gen.Char["ab-.A/"], 1, 8]; // the empty text is no container name: it never matches
        Gen.Select(pattern, name).Sample((p, n) => Assert.Equal(RegexMatches(p, n), ContainerNamePattern.Parse(p).Matches(n)), iter: 3000);
    }

    [Fact]
    public void Parsing_random_text_gives_a_pattern_or_one_invalid_pattern_problem()
    {
        Gen.String[0, 300].Sample(text =>
        {
            if (ContainerNamePattern.TryParse(text, "p", out var pattern, out var problem)) Assert.Equal(text, pattern.Text);
            else Assert.Equal(TrustAnchorProblemCodes.InvalidPattern, problem.Code);
        }, iter: 2000);
    }
}
