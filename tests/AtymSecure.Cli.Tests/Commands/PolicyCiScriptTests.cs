using AtymSecure.TestSupport;

namespace AtymSecure.Cli.Tests.Commands;

/// <summary>
/// policies/ci/policy-check.sh (what the sample GitHub Actions workflow's step runs) and the pre-commit hook that
/// calls it, on fixture git repositories holding a copy of the repository's policy folder, with real `atym` processes.
/// </summary>
[Trait("Requires", "process")]
public class PolicyCiScriptTests
{
    private static readonly string Atym = Path.Combine(AppContext.BaseDirectory, "atym.dll");

    private static Dictionary<string, string> Environment(params (string Key, string Value)[] extra)
    {
        var env = new Dictionary<string, string> { ["ATYM"] = $"dotnet {Atym}", ["POLICY_DIR"] = "policies/samples" };
        foreach (var (k, v) in extra) env[k] = v;
        return env;
    }

    private static async Task<GitRepository> RepositoryWithPoliciesAsync()
    {
        var repo = await GitRepository.InitAsync("policy-ci");
        repo.CopyIn(RepositoryRoot.File("policies/samples"), "policies/samples");
        repo.CopyIn(RepositoryRoot.File("policies/ci"), "policies/ci");
        await repo.GitAsync("config", "core.hooksPath", "policies/ci/hooks");
        await repo.CommitAllAsync("policies");
        return repo;
    }

    private static string Trust(GitRepository repo) => Path.Combine(repo.Path, "policies/samples/trust.yaml");

    /// <summary>The vendor key gains the right to sign compiled images: a trust widening the samples' policy tests do not notice.</summary>
    private static void WidenTrust(GitRepository repo) =>
        File.WriteAllText(Trust(repo), File.ReadAllText(Trust(repo)).Replace("keys: [compiler-linux, compiler-pulley]", "keys: [compiler-linux, compiler-pulley, vendor-samples]", StringComparison.Ordinal));

    private static Task<ToolResult> Script(GitRepository repo, IDictionary<string, string> env, params string[] args) =>
        ExternalTool.RunAsync(Path.Combine(repo.Path, "policies/ci/policy-check.sh"), args, TimeSpan.FromMinutes(2), repo.Path, env);

    [Fact]
    public async Task The_script_validates_tests_and_diffs_two_revisions_and_exits_2_on_a_trust_widening()
    {
        using var repo = await RepositoryWithPoliciesAsync();
        var before = (await repo.GitAsync("rev-parse", "HEAD")).Trim();
        WidenTrust(repo);
        var after = await repo.CommitAllAsync("widen");
        using var output = TempFolder.Create("policy-ci-out");

        var r = await Script(repo, Environment(("DIFF_OUT", output.File("diff.md"))), before, after);

        Assert.Equal(2, r.ExitCode);
        Assert.Contains("policy files: valid", r.StdOut, StringComparison.Ordinal);
        Assert.Matches(@"\d+ passed, 0 failed", r.StdOut);
        Assert.Contains("gains the right to sign `127.0.0.1:5000/compiled/*`", r.StdOut, StringComparison.Ordinal);
        Assert.Contains("trust or permissions widen", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("- **widens**: key `vendor-samples`", File.ReadAllText(output.File("diff.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_script_stops_at_validation_with_annotations_in_github_format()
    {
        using var repo = await RepositoryWithPoliciesAsync();
        File.AppendAllText(Trust(repo), "  surprise: true\n");

        var r = await Script(repo, Environment(("POLICY_FORMAT", "github")), "HEAD");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("::error file=policies/samples/trust.yaml,line=", r.StdOut, StringComparison.Ordinal);
        Assert.DoesNotContain("== atym policy test", r.StdOut, StringComparison.Ordinal);
    }

    // git hands a hook's stdout to its own stderr, so the hook's report is read there.
    [Fact]
    public async Task The_hook_lets_a_narrowing_through_and_refuses_a_widening_unless_allowed()
    {
        using var repo = await RepositoryWithPoliciesAsync();
        var start = (await repo.GitAsync("rev-parse", "HEAD")).Trim();

        // Narrowing: compiled images need two signatures now.
        File.WriteAllText(Trust(repo), File.ReadAllText(Trust(repo)).Replace("keys: [compiler-linux, compiler-pulley]\n      attestations: [slsa-provenance]", "keys: [compiler-linux, compiler-pulley]\n      threshold: 2\n      attestations: [slsa-provenance]", StringComparison.Ordinal));
        await repo.GitAsync("add", "-A");
        var narrowed = await repo.RunGitAsync(Environment(), "commit", "-q", "-m", "narrow");
        Assert.True(narrowed.ExitCode == 0, narrowed.ToString());
        Assert.Contains("narrows: `127.0.0.1:5000/compiled/*` needs 2 signatures instead of 1", narrowed.StdErr, StringComparison.Ordinal);
        var afterNarrowing = (await repo.GitAsync("rev-parse", "HEAD")).Trim();
        Assert.NotEqual(start, afterNarrowing);

        WidenTrust(repo);
        await repo.GitAsync("add", "-A");
        var refused = await repo.RunGitAsync(Environment(), "commit", "-q", "-m", "widen");
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("pre-commit: refused", refused.StdErr, StringComparison.Ordinal);
        Assert.Equal(afterNarrowing, (await repo.GitAsync("rev-parse", "HEAD")).Trim());

        var allowed = await repo.RunGitAsync(Environment(("POLICY_ALLOW_WIDENING", "1")), "commit", "-q", "-m", "widen on purpose");
        Assert.True(allowed.ExitCode == 0, allowed.ToString());
        Assert.NotEqual(afterNarrowing, (await repo.GitAsync("rev-parse", "HEAD")).Trim());
    }

    [Fact]
    public async Task The_hook_refuses_a_commit_whose_policy_tests_fail()
    {
        using var repo = await RepositoryWithPoliciesAsync();
        var start = (await repo.GitAsync("rev-parse", "HEAD")).Trim();
        var permissions = Path.Combine(repo.Path, "policies/samples/permissions.yaml");
        File.WriteAllText(permissions, File.ReadAllText(permissions).Replace("maxMemoryBytes: 262144\n      maxCpuBudgetMs: 100\n    - name: anomaly-detector", "maxMemoryBytes: 4194304\n      maxCpuBudgetMs: 100\n    - name: anomaly-detector", StringComparison.Ordinal));
        await repo.GitAsync("add", "-A");

        var r = await repo.RunGitAsync(Environment(), "commit", "-q", "-m", "more memory");

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("FAIL policies/samples/tests/samples.test.yaml:", r.StdErr, StringComparison.Ordinal);
        Assert.Contains("memory above the rule's limit is refused", r.StdErr, StringComparison.Ordinal);
        Assert.Equal(start, (await repo.GitAsync("rev-parse", "HEAD")).Trim());
    }
}
