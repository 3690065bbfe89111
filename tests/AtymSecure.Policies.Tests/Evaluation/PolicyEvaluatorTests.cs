using AtymSecure.Formats.Container;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;

namespace AtymSecure.Policies.Tests.Evaluation;

public class PolicyEvaluatorTests
{
    private static readonly PolicySet Set = PolicyText.Load(("trust.yaml", $"""
        apiVersion: policy.atym.dev/v1
        kind: TrustPolicy
        metadata: {"{"}name: t{"}"}
        spec:
          keys:
            - {"{"}name: k1, spkiSha256: {PolicyText.Key1}{"}"}
            - {"{"}name: k2, spkiSha256: {PolicyText.Key2}{"}"}
          rules:
            - name: acme
              scope: reg.example/acme/*
              keys: [k1]
            - name: acme-app
              scope: reg.example/acme/app
              keys: [k1, k2]
              threshold: 2
              attestations: [sbom]
            - name: legacy
              scope: reg.example/legacy/*
              keys: [k2]
              level: audit
        """)).Set!;

    private static ReleaseDescriptor Release(string repository, string[] signers, params string[] attestations) =>
        new(repository, repository[(repository.LastIndexOf('/') + 1)..], SemanticVersion.Parse("1.0.0"), [.. signers], [.. attestations], [], null, null);

    [Fact]
    public void The_most_specific_scope_decides_whatever_the_order_of_rules()
    {
        var d = PolicyEvaluator.Evaluate(Set, new DecisionRequest(Release("reg.example/acme/app", [PolicyText.Key1])));
        Assert.Equal(Verdict.Deny, d.Verdict);
        Assert.Equal("trust/acme-app", d.Rule);
        Assert.Equal(12, d.At!.Value.Line);
        Assert.Contains("1 of the 2 required signatures", d.Message, StringComparison.Ordinal);
        Assert.Contains("missing attestation sbom", d.Message, StringComparison.Ordinal);
        Assert.Equal(Verdict.Allow, PolicyEvaluator.Evaluate(Set, new DecisionRequest(Release("reg.example/acme/other", [PolicyText.Key1]))).Verdict);
    }

    [Fact]
    public void Two_signatures_by_one_key_count_once()
    {
        var d = PolicyEvaluator.Evaluate(Set, new DecisionRequest(Release("reg.example/acme/app", [PolicyText.Key1, PolicyText.Key1], "sbom")));
        Assert.Equal(Verdict.Deny, d.Verdict);
        Assert.Equal(Verdict.Allow, PolicyEvaluator.Evaluate(Set, new DecisionRequest(Release("reg.example/acme/app", [PolicyText.Key2, PolicyText.Key1], "sbom"))).Verdict);
    }

    [Fact]
    public void A_key_outside_the_rule_does_not_count()
    {
        var d = PolicyEvaluator.Evaluate(Set, new DecisionRequest(Release("reg.example/acme/tool", [PolicyText.Key2])));
        Assert.Equal(("trust/acme", Verdict.Deny), (d.Rule, d.Verdict));
    }

    [Fact]
    public void Audit_lets_a_failing_release_through_and_says_so()
    {
        var d = PolicyEvaluator.Evaluate(Set, new DecisionRequest(Release("reg.example/legacy/x", [])));
        Assert.Equal(Verdict.Allow, d.Verdict);
        var step = Assert.Single(d.Steps);
        Assert.True(step.AuditOnly);
        Assert.Contains("would be refused", step.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_covered_by_no_rule_is_allowed_and_the_decision_names_the_set()
    {
        var d = PolicyEvaluator.Evaluate(Set, new DecisionRequest(Release("other.example/acme/app", [PolicyText.Key1, PolicyText.Key2], "sbom"),
            new DeviceDescriptor("d1", "linux-x86_64", "eu-prod", SemanticVersion.Parse("0.3.0"), "spinor")));
        Assert.Equal((Verdict.Deny, PolicyEvaluator.TrustDefault, null), (d.Verdict, d.Rule, d.At));
        Assert.Equal([PolicyEvaluator.TrustDefault, PolicyEvaluator.DeviceDefault, PolicyEvaluator.DeploymentDefault, PolicyEvaluator.PermissionDefault], d.Steps.Select(s => s.Rule));
        Assert.Equal(Set.Digest, d.PolicySet);
    }

    [Fact]
    public void A_wave_whose_halt_share_is_above_the_groups_threshold_is_refused_at_the_rollout_rule()
    {
        var samples = AtymSecure.Policies.Loading.PolicySetLoader.LoadFolder(TestPaths.SamplePolicies).Set!;
        var release = new ReleaseDescriptor("127.0.0.1:5000/samples/anomaly-detector", "anomaly-detector", SemanticVersion.Parse("1.0.0"), [], [], [], null, null);
        var device = new DeviceDescriptor("eu-1", "linux-x86_64", "eu-prod", SemanticVersion.Parse("0.1.0"), "spinor");
        Decision Wave(int? halt) => PolicyEvaluator.Evaluate(samples, new DecisionRequest(release, device, null, new RolloutWave(1, true, 10, TimeSpan.Zero, halt)));

        var lax = Wave(20);
        var deployment = lax.Steps.Single(s => s.Rule == "deployment/eu-prod");
        Assert.False(deployment.Passed);
        Assert.Contains("halts only at 20% failed, group eu-prod needs a halt at 10% or less", deployment.Message, StringComparison.Ordinal);
        Assert.Equal(samples.Groups.Single(g => g.Name == "eu-prod").Rollout.At, deployment.At);
        Assert.True(Wave(10).Steps.Single(s => s.Rule == "deployment/eu-prod").Passed);
        Assert.True(Wave(null).Steps.Single(s => s.Rule == "deployment/eu-prod").Passed); // not known: not checked
    }

    [Fact]
    public void A_maintenance_window_past_midnight_covers_the_next_morning()
    {
        var window = new MaintenanceWindow([DayOfWeek.Saturday], new TimeOnly(22, 0), new TimeOnly(2, 0), default);
        Assert.True(window.Contains(DateTimeOffset.Parse("2026-12-05T23:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(window.Contains(DateTimeOffset.Parse("2026-12-06T01:59:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(window.Contains(DateTimeOffset.Parse("2026-12-06T02:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.False(window.Contains(DateTimeOffset.Parse("2026-12-05T01:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Capability_patterns_match_by_segment()
    {
        Assert.True(CapabilityPattern.TryParse("publish:telemetry/*", out var p, out _));
        Assert.True(p!.Covers(Capability.Parse("publish:telemetry/temp")));
        Assert.False(p.Covers(Capability.Parse("publish:telemetry/temp/raw")));
        Assert.False(p.Covers(Capability.Parse("subscribe:telemetry/temp")));
        Assert.True(CapabilityPattern.TryParse("sensor:*", out var any, out _));
        Assert.True(any!.Covers(Capability.Parse("sensor:vib0")));
    }
}
