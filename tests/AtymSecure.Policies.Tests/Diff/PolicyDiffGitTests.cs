using AtymSecure.Policies.Tooling;
using AtymSecure.TestSupport;

namespace AtymSecure.Policies.Tests.Diff;

/// <summary><c>policy diff --git</c> on a fixture repository: two commits of the policy folder, and a commit against the work tree.</summary>
[Trait("Requires", "process")]
public class PolicyDiffGitTests
{
    private const string Folder = "policies/fleet";

    [Fact]
    public async Task Two_revisions_are_compared_on_meaning()
    {
        using var repo = await GitRepository.InitAsync("policy-git");
        using var widening = DiffFixture.Open("15-permission-topic-added");
        repo.CopyIn(widening.Before, Folder);
        var first = await repo.CommitAllAsync("policies");
        using var noop = DiffFixture.Open("01-reformat-reorder-no-change");
        repo.CopyIn(noop.After, Folder);
        var reformatted = await repo.CommitAllAsync("reformat");
        repo.CopyIn(widening.After, Folder);
        var widened = await repo.CommitAllAsync("widen");

        var same = PolicyTool.DiffGit(repo.Path, first, reformatted, Folder);
        Assert.Equal(PolicyTool.Ok, same.ExitCode);
        Assert.Contains("No effective change", same.Output, StringComparison.Ordinal);

        var wider = PolicyTool.DiffGit(repo.Path, reformatted, widened, Folder);
        Assert.Equal(PolicyTool.Flagged, wider.ExitCode);
        Assert.Contains($"## Policy changes: `{reformatted}:{Folder}` → `{widened}:{Folder}`", wider.Output, StringComparison.Ordinal);
        Assert.Contains("- **widens**: `sensor-filter` may now publish to topic `fleet/commands` in group `eu-prod`", wider.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_second_revision_the_work_tree_is_compared_and_problems_carry_the_revision()
    {
        using var repo = await GitRepository.InitAsync("policy-git");
        using var fixture = DiffFixture.Open("03-key-loses-scope");
        repo.CopyIn(fixture.Before, Folder);
        await repo.CommitAllAsync("policies");
        repo.CopyIn(fixture.After, Folder);

        var narrowed = PolicyTool.DiffGit(Path.Combine(repo.Path, "policies"), "HEAD", null, Folder);
        Assert.Equal(PolicyTool.Ok, narrowed.ExitCode);
        Assert.Contains("narrows: key `release-manager`", narrowed.Output, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(repo.Path, Folder, "devices.yaml"), "apiVersion: policy.atym.dev/v1\nkind: DevicePolicy\n");
        await repo.CommitAllAsync("broken");
        var broken = PolicyTool.DiffGit(repo.Path, "HEAD~1", "HEAD", Folder);
        Assert.Equal(PolicyTool.Failed, broken.ExitCode);
        Assert.Contains($"HEAD:{Folder}/devices.yaml:1:1: 'metadata' is required", broken.Output, StringComparison.Ordinal);
    }
}
