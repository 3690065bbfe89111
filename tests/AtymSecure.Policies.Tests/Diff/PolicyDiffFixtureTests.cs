using AtymSecure.Policies.Diff;
using AtymSecure.Policies.Loading;
using AtymSecure.Policies.Tooling;

namespace AtymSecure.Policies.Tests.Diff;

/// <summary>
/// Issue 15 §4: every before/after fixture (each kind of widening and narrowing, and no-op reformatting) gives exactly
/// its reviewed Markdown and exit code. The diff runs on the evaluated sets, so the no-change fixtures — reordered,
/// reformatted, a key renamed with the same public key, a rule split in two, a capability inside a wildcard — say so.
/// </summary>
public class PolicyDiffFixtureTests
{
    public static TheoryData<string> Fixtures => [.. DiffFixture.Names];

    [Fact]
    public void There_are_at_least_15_fixtures_covering_every_area_both_ways_and_no_change()
    {
        var diffs = DiffFixture.Names.Select(n =>
        {
            using var f = DiffFixture.Open(n);
            return PolicyDiff.Compare(PolicySetLoader.LoadFolder(f.Before).Set!, PolicySetLoader.LoadFolder(f.After).Set!);
        }).ToList();
        Assert.True(diffs.Count >= 15, $"{diffs.Count} fixtures");
        foreach (var area in Enum.GetValues<PolicyArea>())
            foreach (var effect in Enum.GetValues<ChangeEffect>())
                Assert.Contains(diffs, d => d.Changes.Any(c => c.Area == area && c.Effect == effect));
        Assert.True(diffs.Count(d => d.IsEmpty) >= 2);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void The_diff_of_each_fixture_is_its_reviewed_markdown_and_exit_code(string name)
    {
        using var fixture = DiffFixture.Open(name);
        var before = PolicySetLoader.LoadFolder(fixture.Before);
        var after = PolicySetLoader.LoadFolder(fixture.After);
        Assert.Empty(before.Problems);
        Assert.Empty(after.Problems);
        var diff = PolicyDiff.Compare(before.Set!, after.Set!);
        Assert.Equal(fixture.ExpectedMarkdown, PolicyDiffMarkdown.Render(diff, "before", "after"));
        Assert.Equal(fixture.ExpectedExit, diff.TrustOrPermissionsWiden ? PolicyTool.Flagged : PolicyTool.Ok);
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Swapping_before_and_after_turns_every_widening_into_a_narrowing(string name)
    {
        using var fixture = DiffFixture.Open(name);
        var before = PolicySetLoader.LoadFolder(fixture.Before).Set!;
        var after = PolicySetLoader.LoadFolder(fixture.After).Set!;
        var forward = PolicyDiff.Compare(before, after);
        var backward = PolicyDiff.Compare(after, before);
        Assert.Equal(forward.IsEmpty, backward.IsEmpty);
        foreach (var area in Enum.GetValues<PolicyArea>())
        {
            Assert.Equal(forward.Changes.Any(c => c.Area == area && c.Effect == ChangeEffect.Widens), backward.Changes.Any(c => c.Area == area && c.Effect == ChangeEffect.Narrows));
        }
    }

    [Fact]
    public void A_set_compared_with_itself_has_no_change()
    {
        var set = PolicySetLoader.LoadFolder(TestPaths.SamplePolicies).Set!;
        Assert.True(PolicyDiff.Compare(set, set).IsEmpty);
    }
}
