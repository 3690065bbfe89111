using AtymSecure.Policies.Loading;
using AtymSecure.Policies.Testing;
using AtymSecure.Policies.Tooling;
using AtymSecure.TestSupport;

namespace AtymSecure.Policies.Tests.Testing;

public class PolicyTestRunnerTests
{
    [Fact]
    public void The_samples_policy_tests_all_pass()
    {
        var folder = PolicySetLoader.LoadFolder(TestPaths.SamplePolicies);
        var results = PolicyTestRunner.Run(folder.Set!, folder.Tests);
        Assert.True(results.Count >= 15);
        Assert.All(results, r => Assert.True(r.Passed, PolicyTestRunner.Report([r])));
        Assert.Contains(results, r => r.Decision.Verdict == AtymSecure.Policies.Evaluation.Verdict.Deny);
        Assert.Contains(results, r => r.Decision.Verdict == AtymSecure.Policies.Evaluation.Verdict.Allow);
    }

    [Fact]
    public void A_failing_case_shows_expected_against_actual_with_the_steps_and_fails_the_run()
    {
        using var copy = TempFolder.Create("policy-test");
        foreach (var file in Directory.GetFiles(TestPaths.SamplePolicies, "*.yaml", SearchOption.AllDirectories))
        {
            var to = Path.Combine(copy.Path, Path.GetRelativePath(TestPaths.SamplePolicies, file));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(file, to);
        }
        // Widen sensor-filter's grant: the case that expects the fleet/commands topic refused now fails.
        var permissions = Path.Combine(copy.Path, "permissions.yaml");
        File.WriteAllText(permissions, File.ReadAllText(permissions).Replace("\"publish:telemetry/temp\"]", "\"publish:telemetry/temp\", \"publish:fleet/*\"]", StringComparison.Ordinal));

        var outcome = PolicyTool.Test(copy.Path);

        Assert.Equal(PolicyTool.Failed, outcome.ExitCode);
        Assert.Contains("FAIL ", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("sensor-filter may not publish to a topic its rule does not grant", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("  - expected: deny by permission/sensor-filter\n  + actual:   allow by trust/sensor-filter", outcome.Output, StringComparison.Ordinal);
        Assert.Contains("publish:fleet/commands granted", outcome.Output, StringComparison.Ordinal);
        Assert.EndsWith("15 passed, 1 failed\n", outcome.Output, StringComparison.Ordinal);
    }
}
