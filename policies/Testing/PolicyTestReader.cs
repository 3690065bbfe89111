using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Loading;
using AtymSecure.Policies.Yaml;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Testing;

/// <summary>The <c>spec</c> of a <c>kind: PolicyTest</c> file: <c>cases</c>, each with a release, an optional device, time and wave, and <c>expect</c>.</summary>
internal static class PolicyTestReader
{
    public static PolicyTestSuite Read(MapReader spec, string name, string file)
    {
        var context = spec.Context;
        var cases = new List<PolicyTestCase>();
        foreach (var (node, path) in spec.List("cases", required: true, minItems: 1))
        {
            if (context.MapOf(node, path) is not { } c) continue;
            var before = context.Problems.Count;
            var caseName = c.String("name", required: true, maxLength: 200);
            var release = c.Map("release", required: true) is { } r ? DescriptorReader.Release(r) : null;
            var device = c.Map("device") is { } d ? DescriptorReader.Device(d) : null;
            var at = DeploymentPolicyReader.Timestamp(c, "at", required: false);
            RolloutWave? wave = null;
            if (c.Map("wave") is { } w)
            {
                var number = (int)(w.Integer("number", 1, 1000) ?? 1);
                var canary = w.Boolean("canary") ?? false;
                var percent = (int)(w.Integer("percent", 1, 100, required: true) ?? 0);
                var soaked = DeploymentPolicyReader.Duration(w, "soaked") ?? TimeSpan.Zero;
                w.RejectUnknown();
                wave = new RolloutWave(number, canary, percent, soaked);
            }
            ExpectedDecision? expect = null;
            if (c.Map("expect", required: true) is { } e)
            {
                var verdictText = e.String("decision", required: true);
                Verdict? verdict = verdictText switch { "allow" => Verdict.Allow, "deny" => Verdict.Deny, _ => null };
                if (verdictText is not null && verdict is null)
                    context.Add(InvalidValue, e.FieldPath("decision"), $"'{PolicyFileContext.Shorten(verdictText)}' is not a decision (allow, deny)", e.Field("decision")!);
                var rule = e.String("rule", maxLength: 200);
                e.RejectUnknown();
                if (verdict is { } v) expect = new ExpectedDecision(v, rule);
            }
            c.RejectUnknown();
            if (context.Problems.Count == before)
                cases.Add(new PolicyTestCase(caseName!, new DecisionRequest(release!, device, at, wave), expect!, c.Position));
        }
        PolicyDocumentReader.Unique(context, cases, c => c.Name, c => c.At, spec.FieldPath("cases"), "case");
        spec.RejectUnknown();
        return new PolicyTestSuite(name, [.. cases], file);
    }
}
