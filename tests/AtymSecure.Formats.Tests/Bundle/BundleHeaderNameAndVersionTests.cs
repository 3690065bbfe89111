using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>The bundle header's name and version fields follow the one name rule and the one version type.</summary>
public sealed class BundleHeaderNameAndVersionTests
{
    private static IReadOnlyList<AtymSecure.Primitives.Problem> Problems(Func<BundleHeader, BundleHeader> edit) => edit(TestBundles.Header(new byte[600])).Validate();

    [Theory]
    [InlineData("1.0.0")]
    [InlineData("2.0.0-rc.1+build.5")]
    [InlineData("1.0.0-a111111111111111111111111111111111111111111111111111111111")] // 64 characters
    public void Any_SemVer_of_at_most_64_characters_is_a_header_version(string version)
    {
        Assert.Empty(Problems(h => h with { ContainerVersion = version }));
        Assert.Equal(version, SemanticVersion.Parse(version).ToString());
    }

    [Theory]
    [InlineData("1.0", "MAJOR.MINOR.PATCH")]
    [InlineData("v1.0.0", "not a non-negative integer")]
    [InlineData("1.0.0-01", "leading zero")]
    [InlineData("1.0.0-a1111111111111111111111111111111111111111111111111111111111", "longer than 64")]
    [InlineData("", "empty")]
    public void Other_versions_are_refused_with_the_reason(string version, string reason)
    {
        var problem = Assert.Single(Problems(h => h with { ContainerVersion = version }));
        Assert.Equal((ReasonCodes.BundleMalformed, "containerVersion"), (problem.Code, problem.Path));
        Assert.Contains(reason, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_version_is_not_echoed_whole() =>
        Assert.True(Assert.Single(Problems(h => h with { ContainerVersion = new string('9', 5000) })).Message.Length < 300);

    [Theory]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345", true)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789abcd", false)] // 40: built and bundled before the one rule
    [InlineData("my.app", false)]
    [InlineData("my_app", false)]
    public void The_name_follows_the_one_container_name_rule(string name, bool valid) =>
        Assert.Equal(valid, Problems(h => h with { ContainerName = name }).All(e => e.Path != "containerName"));
}
