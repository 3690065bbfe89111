using AtymSecure.Policies.Model;
using AtymSecure.Primitives;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Tests.Loading;

public class PolicyDocumentReaderTests
{
    private const string Trust = $"""
        apiVersion: policy.atym.dev/v1
        kind: TrustPolicy
        metadata:
          name: t
        spec:
          keys:
            - name: k1
              spkiSha256: {PolicyText.Key1}
          rules:
            - name: r
              scope: registry.example.com/acme/*
              keys: [k1]
        """;

    [Fact]
    public void A_valid_trust_policy_reads_into_its_model_with_positions()
    {
        var (document, problems) = PolicyText.Read(Trust);
        Assert.Empty(problems);
        var rule = Assert.Single(document!.Trust!.Rules);
        Assert.Equal("registry.example.com/acme/*", rule.Scope.Text);
        Assert.Equal(TrustLevel.Enforce, rule.Level);
        Assert.Equal(1, rule.Threshold);
        Assert.Equal(new SourcePosition("test.yaml", 10, 7), rule.At);
    }

    [Fact]
    public void Every_problem_of_a_file_is_reported_at_once_each_at_its_line_and_column()
    {
        var yaml = """
            apiVersion: policy.atym.dev/v2
            kind: DeploymentPolicy
            metadata: {name: Bad_Name}
            spec:
              groups:
                - name: eu-prod
                  deviceClasses: [linux-x86_64, vax-11]
                  containers: [sensor-filter]
                  rollout:
                    maxWavePercent: "50"
                    minSoak: 30 minutes
                    canary: true
                  maintenanceWindows:
                    - {days: [mon, someday], start: "02:00", end: 25:00}
            """;
        var (document, problems) = PolicyText.Read(yaml);
        Assert.Null(document);
        var found = problems.Select(p => (p.Code, p.Path, p.Position!.Value.Line, p.Position!.Value.Column)).ToList();
        Assert.Equal(
        [
            (UnsupportedApiVersion, "$.apiVersion", 1, 13),
            (InvalidName, "$.metadata.name", 3, 18),
            (InvalidValue, "$.spec.groups[0].deviceClasses[1]", 7, 37),
            (WrongType, "$.spec.groups[0].rollout.maxWavePercent", 10, 25),
            (InvalidValue, "$.spec.groups[0].rollout.minSoak", 11, 18),
            (UnknownField, "$.spec.groups[0].rollout.canary", 12, 9),
            (InvalidValue, "$.spec.groups[0].maintenanceWindows[0].days[1]", 14, 24),
            (InvalidValue, "$.spec.groups[0].maintenanceWindows[0].end", 14, 55),
        ], found);
        Assert.Contains("known here: mandatoryCanary, maxWavePercent, minSoak, haltFailurePercent", problems.Single(p => p.Code == UnknownField).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kind: Policy", UnknownKind, "$.kind")]
    [InlineData("extra: 1", UnknownField, "$.extra")]
    public void The_envelope_is_strict(string line, string code, string path)
    {
        var yaml = Trust.Replace("kind: TrustPolicy", line.StartsWith("kind", StringComparison.Ordinal) ? line : "kind: TrustPolicy\n" + line, StringComparison.Ordinal);
        var (_, problems) = PolicyText.Read(yaml);
        Assert.Contains(problems, p => p.Code == code && p.Path == path);
    }

    [Fact]
    public void Trust_rules_refuse_a_threshold_above_their_keys_and_unknown_attestations()
    {
        var yaml = Trust.Replace("      keys: [k1]", "      keys: [k1]\n      threshold: 2\n      attestations: [sbom, vibes]", StringComparison.Ordinal);
        var (_, problems) = PolicyText.Read(yaml);
        Assert.Equal([ThresholdAboveKeys, InvalidValue], problems.Select(p => p.Code));
        Assert.Equal("$.spec.rules[0].attestations[1]", problems[1].Path);
    }

    [Theory]
    [InlineData("registry.example.com/*")]
    [InlineData("*")]
    [InlineData("127.0.0.1:5000/samples/sensor-filter")]
    public void Scopes_are_a_repository_a_prefix_or_everything(string scope)
    {
        var (document, problems) = PolicyText.Read(Trust.Replace("registry.example.com/acme/*", $"\"{scope}\"", StringComparison.Ordinal));
        Assert.Empty(problems);
        Assert.Equal(scope, document!.Trust!.Rules[0].Scope.Text);
    }

    [Theory]
    [InlineData("registry.example.com")]
    [InlineData("Registry.example.com/acme")]
    [InlineData("registry.example.com/acme*")]
    [InlineData("registry.example.com/*/x")]
    public void Other_scopes_are_refused(string scope)
    {
        var (_, problems) = PolicyText.Read(Trust.Replace("registry.example.com/acme/*", scope, StringComparison.Ordinal));
        Assert.Equal(InvalidValue, Assert.Single(problems).Code);
    }

    [Fact]
    public void A_permission_capability_must_be_one_the_container_grammar_knows()
    {
        var yaml = """
            apiVersion: policy.atym.dev/v1
            kind: PermissionPolicy
            metadata: {name: p}
            spec:
              rules:
                - name: r
                  containers: [sensor-filter]
                  groups: ["*"]
                  capabilities: [log, "gpio:seven", "teleport:mars", "publish:telemetry/*"]
            """;
        var (_, problems) = PolicyText.Read(yaml);
        Assert.Equal(["$.spec.rules[0].capabilities[1]", "$.spec.rules[0].capabilities[2]"], problems.Select(p => p.Path));
    }
}
