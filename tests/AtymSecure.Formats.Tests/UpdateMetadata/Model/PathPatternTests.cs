using AtymSecure.Formats.UpdateMetadata.Model;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Model;

public class PathPatternTests
{
    [Theory]
    [InlineData("*", "a", true)]
    [InlineData("*", "a/b", false)] // * never crosses a '/'
    [InlineData("*/*", "a/b", true)]
    [InlineData("a/*.img", "a/x.img", true)]
    [InlineData("a/*.img", "a/b/x.img", false)] // same number of segments
    [InlineData("sources/sensor-*/*/module.wasm", "sources/sensor-filter/1.0.0/module.wasm", true)]
    [InlineData("sources/sensor-*/*/module.wasm", "sources/other/1.0.0/module.wasm", false)]
    [InlineData("a?c", "abc", true)]
    [InlineData("a?c", "ac", false)]
    [InlineData("*a*b*c*", "xxaxxbxxcxx", true)]
    [InlineData("*a*b*c*", "xxaxxcxxbxx", false)]
    [InlineData("**", "abc", true)]
    [InlineData("", "", true)]
    [InlineData("abc", "abd", false)]
    public void Matches_segment_by_segment(string pattern, string path, bool expected) =>
        Assert.Equal(expected, PathPattern.Matches(pattern, path));

    [Fact]
    public void A_pathological_pattern_stays_linear()
    {
        var pattern = string.Concat(Enumerable.Repeat("*a", 200)) + "b";
        var text = new string('a', 500);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(PathPattern.Matches(pattern, text));
        Assert.True(watch.ElapsedMilliseconds < 1000);
    }

    [Fact]
    public void Hash_prefix_delegations_cover_by_the_path_sha256()
    {
        // sha256("images/a") = 6f4ad4d2...
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("images/a"u8));
        var role = new DelegatedRole("bins-0", new RoleKeys([], 1), false, PathHashPrefixes: [hash[..2]]);
        Assert.True(role.Covers("images/a"));
        Assert.False(new DelegatedRole("bins-1", new RoleKeys([], 1), false, PathHashPrefixes: [hash[..2] == "00" ? "01" : "00"]).Covers("images/a"));
    }
}
