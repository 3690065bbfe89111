using AtymSecure.Policies.Diff;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Loading;
using AtymSecure.Policies.Reporting;
using AtymSecure.Policies.Testing;

namespace AtymSecure.Policies.Tooling;

/// <summary>What a policy verb prints and the exit code it ends with.</summary>
public sealed record ToolOutcome(string Output, int ExitCode);

/// <summary>
/// The entry points of <c>atym policy validate|test|diff|explain</c> (the CLI only parses options and prints), so CI,
/// the pre-commit hook and tests reach the same code. Exit codes: 0 fine; 1 invalid policies, a failing test or a
/// refused input; 2 the diff widens trust or permissions (<c>diff</c>) or the decision is deny (<c>explain</c>).
/// </summary>
public static class PolicyTool
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int Flagged = 2;

    public static ToolOutcome Validate(string folder, ReportFormat format)
    {
        var loaded = PolicySetLoader.LoadFolder(folder);
        return new ToolOutcome(ProblemReport.Render(loaded.Problems, loaded.FileCount, format), loaded.IsValid ? Ok : Failed);
    }

    public static ToolOutcome Test(string folder)
    {
        var loaded = PolicySetLoader.LoadFolder(folder);
        if (loaded.Set is not { } set) return new ToolOutcome(ProblemReport.Render(loaded.Problems, loaded.FileCount, ReportFormat.Text), Failed);
        if (loaded.Tests.Count == 0) return new ToolOutcome($"{folder}: no PolicyTest files, nothing to run\n", Failed);
        var results = PolicyTestRunner.Run(set, loaded.Tests);
        return new ToolOutcome(PolicyTestRunner.Report(results), results.All(r => r.Passed) ? Ok : Failed);
    }

    public static ToolOutcome Diff(string before, string after) =>
        Diff(PolicySetLoader.LoadFolder(before), PolicySetLoader.LoadFolder(after), before, after);

    /// <summary>The policy folder <paramref name="folder"/> (relative to the repository root) at two revisions; without <paramref name="afterRevision"/>, against the work tree.</summary>
    public static ToolOutcome DiffGit(string repository, string beforeRevision, string? afterRevision, string folder)
    {
        var before = PolicySetLoader.LoadRevision(repository, beforeRevision, folder);
        var after = afterRevision is null
            ? PolicySetLoader.LoadFolder(Path.Combine(GitPolicySource.Top(repository), folder))
            : PolicySetLoader.LoadRevision(repository, afterRevision, folder);
        return Diff(before, after, $"{beforeRevision}:{folder}", afterRevision is null ? $"work tree:{folder}" : $"{afterRevision}:{folder}");
    }

    public static ToolOutcome Explain(string folder, string releaseFile, string? deviceFile, DateTimeOffset? at, RolloutWave? wave)
    {
        var loaded = PolicySetLoader.LoadFolder(folder);
        if (loaded.Set is not { } set) return new ToolOutcome(ProblemReport.Render(loaded.Problems, loaded.FileCount, ReportFormat.Text), Failed);
        var request = new DecisionRequest(DescriptorFile.ReadRelease(releaseFile), deviceFile is null ? null : DescriptorFile.ReadDevice(deviceFile), at, wave);
        var decision = PolicyEvaluator.Evaluate(set, request);
        return new ToolOutcome(DecisionExplanation.Render(decision), decision.Allowed ? Ok : Flagged);
    }

    private static ToolOutcome Diff(PolicyFolder before, PolicyFolder after, string beforeName, string afterName)
    {
        if (before.Set is null || after.Set is null)
        {
            var problems = before.Problems.Concat(after.Problems).ToList();
            return new ToolOutcome("policy diff needs two valid policy sets:\n" + ProblemReport.Render(problems, before.FileCount + after.FileCount, ReportFormat.Text), Failed);
        }
        var diff = PolicyDiff.Compare(before.Set, after.Set);
        return new ToolOutcome(PolicyDiffMarkdown.Render(diff, beforeName, afterName), diff.TrustOrPermissionsWiden ? Flagged : Ok);
    }
}
