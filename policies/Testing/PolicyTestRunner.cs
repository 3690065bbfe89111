using System.Text;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;

namespace AtymSecure.Policies.Testing;

/// <summary>The outcome of one policy test case: what the evaluator decided and whether it is what the case expects.</summary>
public sealed record PolicyTestResult(PolicyTestSuite Suite, PolicyTestCase Case, Decision Decision)
{
    public bool Passed => Decision.Verdict == Case.Expect.Verdict && (Case.Expect.Rule is null || Case.Expect.Rule == Decision.Rule);
}

/// <summary>Runs policy test cases through <see cref="PolicyEvaluator"/> (the enforcement points' one evaluator) and says, readably, where a case and the policy disagree.</summary>
public static class PolicyTestRunner
{
    public static IReadOnlyList<PolicyTestResult> Run(PolicySet set, IEnumerable<PolicyTestSuite> suites)
    {
        ArgumentNullException.ThrowIfNull(suites);
        return [.. suites.SelectMany(s => s.Cases.Select(c => new PolicyTestResult(s, c, PolicyEvaluator.Evaluate(set, c.Request))))];
    }

    /// <summary>One line per passing case; for a failing one, expected against actual and the evaluator's steps. Ends with the totals.</summary>
    public static string Report(IReadOnlyList<PolicyTestResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var text = new StringBuilder();
        foreach (var r in results)
        {
            if (r.Passed)
            {
                text.Append("PASS ").Append(r.Case.At).Append(' ').Append(r.Case.Name).Append('\n');
                continue;
            }
            text.Append("FAIL ").Append(r.Case.At).Append(' ').Append(r.Case.Name).Append('\n');
            text.Append("  - expected: ").Append(Describe(r.Case.Expect.Verdict, r.Case.Expect.Rule)).Append('\n');
            text.Append("  + actual:   ").Append(Describe(r.Decision.Verdict, r.Decision.Rule))
                .Append(r.Decision.At is { } at ? $" ({at})" : "").Append(": ").Append(r.Decision.Message).Append('\n');
            text.Append("  steps:\n");
            foreach (var step in r.Decision.Steps) text.Append("    ").Append(step).Append('\n');
        }
        var failed = results.Count(r => !r.Passed);
        text.Append($"{results.Count - failed} passed, {failed} failed\n");
        return text.ToString();
    }

    private static string Describe(Verdict verdict, string? rule) =>
        (verdict == Verdict.Allow ? "allow" : "deny") + (rule is null ? "" : $" by {rule}");
}
