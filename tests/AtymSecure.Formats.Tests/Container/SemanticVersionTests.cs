using AtymSecure.Formats.Container;
using CsCheck;

namespace AtymSecure.Formats.Tests.Container;

public class SemanticVersionTests
{
    [Theory]
    [InlineData("0.0.0")]
    [InlineData("1.2.3")]
    [InlineData("10.20.30")]
    [InlineData("1.0.0-alpha.1")]
    [InlineData("1.0.0-0A.is.legal")]
    [InlineData("1.0.0+20130313144700")]
    [InlineData("1.0.0-beta+exp.sha.5114f85")]
    [InlineData("18446744073709551615.0.0")]
    public void Parses_valid_versions_and_round_trips_them(string text) =>
        Assert.Equal(text, SemanticVersion.Parse(text).ToString());

    [Theory]
    [InlineData("", "empty")]
    [InlineData("1.2", "MAJOR.MINOR.PATCH")]
    [InlineData("1.2.3.4", "MAJOR.MINOR.PATCH")]
    [InlineData("v1.2.3", "not a non-negative integer")]
    [InlineData("01.2.3", "leading zero")]
    [InlineData("1.02.3", "leading zero")]
    [InlineData("1.2.3-01", "leading zero")]
    [InlineData("1.2.3-", "empty pre-release identifier")]
    [InlineData("1.2.3-a..b", "empty pre-release identifier")]
    [InlineData("1.2.3+", "empty build metadata identifier")]
    [InlineData("1.2.3-a_b", "outside [0-9A-Za-z-]")]
    [InlineData("1.2.3+a b", "outside [0-9A-Za-z-]")]
    [InlineData("18446744073709551616.0.0", "too large")]
    [InlineData("-1.2.3", "MAJOR.MINOR.PATCH")]
    public void Rejects_invalid_versions_with_the_reason(string text, string reason)
    {
        Assert.False(SemanticVersion.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
        var e = Assert.Throws<FormatException>(() => SemanticVersion.Parse(text));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Rejects_text_longer_than_a_device_stores()
    {
        var longest = "1.0.0-" + new string('a', SemanticVersion.MaxLength - 6);
        Assert.Equal(longest, SemanticVersion.Parse(longest).ToString());
        Assert.Contains("longer than 64", Assert.Throws<FormatException>(() => SemanticVersion.Parse(longest + "a")).Message);
        Assert.Contains("longer than 64", Assert.Throws<FormatException>(() => SemanticVersion.Parse("1.0.0-" + new string('a', 300))).Message);
    }

    [Fact]
    public void Orders_by_semver_precedence_as_in_the_spec_example()
    {
        string[] ordered = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1.0", "2.0.0"];
        for (var i = 0; i + 1 < ordered.Length; i++)
        {
            var a = SemanticVersion.Parse(ordered[i]);
            var b = SemanticVersion.Parse(ordered[i + 1]);
            Assert.True(a < b, $"{a} < {b}");
            Assert.True(b > a && a <= b && b >= a && a != b);
        }
    }

    [Fact]
    public void Build_metadata_does_not_change_precedence_but_does_change_equality()
    {
        var a = SemanticVersion.Parse("1.0.0+a");
        var b = SemanticVersion.Parse("1.0.0+b");
        Assert.Equal(0, a.CompareTo(b));
        Assert.NotEqual(a, b);
        Assert.Equal(SemanticVersion.Parse("1.0.0+a"), a);
        Assert.Equal(a.GetHashCode(), SemanticVersion.Parse("1.0.0+a").GetHashCode());
    }

    private static readonly Gen<string> Identifier = Gen.OneOf(Gen.UInt[0, 30].Select(u => u.ToString(System.Globalization.CultureInfo.InvariantCulture)), Gen.String[Gen.Char["a-z"], 1, 4]);

    private static readonly Gen<SemanticVersion> Versions =
        from major in Gen.UInt[0, 3]
        from minor in Gen.UInt[0, 3]
        from patch in Gen.UInt[0, 3]
        from pre in Identifier.Array[0, 3]
        select SemanticVersion.Parse($"{major}.{minor}.{patch}" + (pre.Length > 0 ? "-" + string.Join('.', pre) : ""));

    [Fact]
    public void Precedence_is_a_total_order_consistent_with_round_trip() =>
        Gen.Select(Versions, Versions, Versions).Sample((a, b, c) =>
        {
            Assert.Equal(Math.Sign(a.CompareTo(b)), -Math.Sign(b.CompareTo(a)));
            if (a <= b && b <= c) Assert.True(a <= c);
            Assert.Equal(a, SemanticVersion.Parse(a.ToString()));
        });
}
