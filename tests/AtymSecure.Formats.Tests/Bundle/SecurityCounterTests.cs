using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Container;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.Formats.Tests.Bundle;

/// <summary>
/// The default security counter follows SemVer precedence (issue 10: <c>2.0.0-rc.1</c> and <c>2.0.0</c> got the same
/// counter, so a device that confirmed the release candidate refused nothing older than it and could not tell them apart).
/// </summary>
public sealed class SecurityCounterTests
{
    private static ulong C(string version) => SecurityCounter.DefaultFor(SemanticVersion.Parse(version));

    [Fact]
    public void A_pre_release_gets_a_lower_counter_than_its_release()
    {
        // Failed before the fix: both were 0x02000000.
        Assert.True(C("2.0.0-rc.1") < C("2.0.0"));
        Assert.True(C("1.9.1023") < C("2.0.0-alpha"));
    }

    [Fact]
    public void Encodable_pre_releases_ascend_like_SemVer_precedence()
    {
        string[] ordered =
        [
            "1.0.0-alpha", "1.0.0-alpha.0", "1.0.0-alpha.1", "1.0.0-alpha.14", "1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11",
            "1.0.0-rc", "1.0.0-rc.1", "1.0.0-rc.14", "1.0.0", "1.0.1-alpha", "1.0.1", "1.1.0", "2.0.0",
        ];
        for (var i = 0; i + 1 < ordered.Length; i++)
        {
            Assert.True(SemanticVersion.Parse(ordered[i]) < SemanticVersion.Parse(ordered[i + 1]));
            Assert.True(C(ordered[i]) < C(ordered[i + 1]), $"{ordered[i]} (0x{C(ordered[i]):X8}) < {ordered[i + 1]} (0x{C(ordered[i + 1]):X8})");
        }
    }

    [Fact]
    public void The_layout_is_the_documented_one()
    {
        Assert.Equal((1UL << 24) | (2UL << 16) | (3UL << 6) | 0b11_1111, C("1.2.3"));
        Assert.Equal((2UL << 24) | (2UL << 4) | 2, C("2.0.0-rc.1+build.5"));
        Assert.Equal(C("2.0.0-rc.1"), C("2.0.0-rc.1+build.5")); // build metadata has no precedence
        Assert.Equal(SecurityCounter.DeviceMaximum, C("255.255.1023"));
        Assert.Equal(0UL, C("0.0.0-alpha"));
    }

    [Theory]
    [InlineData("256.0.0", "major ≤ 255")]
    [InlineData("1.256.0", "minor ≤ 255")]
    [InlineData("1.0.1024", "patch ≤ 1023")]
    [InlineData("2.0.0-dev", "alpha, beta and rc")]
    [InlineData("2.0.0-rc.15", "≤ 14")]
    [InlineData("2.0.0-rc.1.2", "alpha, beta and rc")]
    [InlineData("2.0.0-alpha.beta", "alpha, beta and rc")]
    [InlineData("2.0.0-1", "alpha, beta and rc")]
    [InlineData("2.0.0-RC.1", "alpha, beta and rc")]
    public void Versions_outside_the_encodable_range_are_refused_clearly(string version, string reason)
    {
        var e = Assert.Throws<ProblemException>(() => C(version));
        var problem = Assert.Single(e.Problems);
        Assert.Equal((SecurityCounter.NotEncodableCode, "version"), (problem.Code, problem.Path));
        Assert.Contains(version, problem.Message, StringComparison.Ordinal);
        Assert.Contains(reason, problem.Message, StringComparison.Ordinal);
        Assert.Contains("give the security counter explicitly", problem.Message, StringComparison.Ordinal);
    }

    private static readonly string[] Labels = ["alpha", "beta", "rc", "dev", "RC", "alphabet", "a", "rc1", "zeta"];

    private static readonly Gen<string> PreIdentifier = Gen.OneOf(
        Gen.Int[0, Labels.Length - 1].Select(i => Labels[i]),
        Gen.Int[0, 20].Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Versions around and beyond the encodable range, with pre-releases of up to three identifiers.</summary>
    private static readonly Gen<SemanticVersion> Versions =
        Gen.Select(Gen.OneOf(Gen.ULong[0, 3], Gen.ULong[250, 260]), Gen.OneOf(Gen.ULong[0, 3], Gen.ULong[254, 257]), Gen.OneOf(Gen.ULong[0, 3], Gen.ULong[1020, 1030]),
                PreIdentifier.Array[0, 3], Gen.Bool)
            .Select((major, minor, patch, pre, build) =>
                $"{major}.{minor}.{patch}" + (pre.Length > 0 ? "-" + string.Join('.', pre) : "") + (build ? "+b.7" : ""))
            .Where(text => SemanticVersion.TryParse(text, out _))
            .Select(SemanticVersion.Parse);

    [Fact]
    public void Counter_order_never_contradicts_SemVer_precedence_within_the_encodable_range() =>
        Gen.Select(Versions, Versions).Sample((a, b) =>
        {
            if (!SecurityCounter.TryDefaultFor(a, out var ca, out _) || !SecurityCounter.TryDefaultFor(b, out var cb, out _)) return;
            // Exactly precedence: one counter per precedence class, so equal counters only for equal precedence.
            Assert.Equal(Math.Sign(a.CompareTo(b)), ca.CompareTo(cb));
            Assert.True(ca <= SecurityCounter.DeviceMaximum);
        }, iter: 50_000);

    [Fact]
    public void Every_version_gets_a_counter_or_a_clear_refusal() =>
        Versions.Sample(v =>
        {
            if (SecurityCounter.TryDefaultFor(v, out _, out var problem)) return;
            Assert.Equal(SecurityCounter.NotEncodableCode, problem.Code);
            Assert.StartsWith(v.ToString(), problem.Message, StringComparison.Ordinal);
            Assert.Throws<ProblemException>(() => SecurityCounter.DefaultFor(v));
        }, iter: 20_000);

    [Fact]
    public void Release_counters_are_never_below_the_earlier_formula_so_old_floors_keep_accepting_them() =>
        Gen.Select(Gen.ULong[0, 255], Gen.ULong[0, 255], Gen.ULong[0, 1023]).Sample((major, minor, patch) =>
            Assert.True(SecurityCounter.DefaultFor(SemanticVersion.Release(major, minor, patch)) >= (major << 24) + (minor << 16) + patch));
}
