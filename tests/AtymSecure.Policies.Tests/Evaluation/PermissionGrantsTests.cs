using AtymSecure.Formats.Container;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;
using CsCheck;

namespace AtymSecure.Policies.Tests.Evaluation;

public class PermissionGrantsTests
{
    private static readonly PolicySet Set = PolicyText.Load(
        ("deployment.yaml", """
            apiVersion: policy.atym.dev/v1
            kind: DeploymentPolicy
            metadata: {name: d}
            spec:
              groups:
                - {name: lab, deviceClasses: [linux-x86_64], containers: ["*"]}
                - {name: field, deviceClasses: [linux-x86_64], containers: ["*"]}
                - {name: quiet, deviceClasses: [linux-x86_64], containers: ["*"]}
            """),
        ("permissions.yaml", """
            apiVersion: policy.atym.dev/v1
            kind: PermissionPolicy
            metadata: {name: p}
            spec:
              rules:
                - name: everywhere
                  containers: [sensor-*]
                  groups: ["*"]
                  capabilities: [log, "sensor:temp*"]
                - name: lab-telemetry
                  containers: [sensor-filter]
                  groups: [lab]
                  capabilities: ["publish:telemetry/*", "gpio:4"]
                - name: field-telemetry
                  containers: [sensor-filter]
                  groups: [field]
                  capabilities: ["publish:telemetry/temp"]
            """)).Set!;

    private static readonly Capability[] Asked = [.. new[] { "log", "sensor:temp0", "publish:telemetry/temp", "publish:telemetry/debug", "gpio:4" }.Select(Capability.Parse)];

    [Fact]
    public void A_group_gets_what_it_allows_of_what_the_container_asks_in_the_container_s_order()
    {
        var lab = PermissionGrants.Derive(Set, "sensor-filter", Asked, ["lab"]);
        Assert.Equal(["log", "sensor:temp0", "publish:telemetry/temp", "publish:telemetry/debug", "gpio:4"], lab.GrantTexts);
        Assert.True(lab.IsComplete);

        var field = PermissionGrants.Derive(Set, "sensor-filter", Asked, ["field"]);
        Assert.Equal(["log", "sensor:temp0", "publish:telemetry/temp"], field.GrantTexts);
        Assert.Equal(["publish:telemetry/debug", "gpio:4"], field.Withheld.Select(w => w.Permission.ToString()));
        var debug = field.Withheld[0];
        Assert.Equal("field", debug.Group);
        Assert.Equal(["everywhere", "field-telemetry"], debug.Rules);
        Assert.Equal(Set.Digest, field.PolicySet);
        Assert.NotEqual(lab.Digest, field.Digest);
    }

    [Fact]
    public void A_device_in_two_groups_gets_what_both_allow_and_one_in_none_only_what_every_group_rule_allows()
    {
        Assert.Equal(["log", "sensor:temp0", "publish:telemetry/temp"], PermissionGrants.Derive(Set, "sensor-filter", Asked, ["lab", "field"]).GrantTexts);
        Assert.Equal(["log", "sensor:temp0"], PermissionGrants.Derive(Set, "sensor-filter", Asked, []).GrantTexts);
        Assert.Equal(["log", "sensor:temp0"], PermissionGrants.Derive(Set, "sensor-filter", Asked, ["quiet"]).GrantTexts);
    }

    [Fact]
    public void A_container_no_rule_covers_is_granted_nothing()
    {
        var none = PermissionGrants.Derive(Set, "gateway", Asked, ["lab"]);
        Assert.Empty(none.Granted);
        Assert.All(none.Withheld, w => Assert.Empty(w.Rules));
        Assert.All(none.Withheld, w => Assert.Null(w.At));
    }

    [Fact]
    public void The_grant_digest_has_no_ambiguous_separator()
    {
        Assert.NotEqual(DerivedGrants.DigestOf(["a,b"]), DerivedGrants.DigestOf(["a", "b"]));
        Assert.NotEqual(DerivedGrants.DigestOf(["ab", ""]), DerivedGrants.DigestOf(["a", "b"]));
        Assert.NotEqual(DerivedGrants.DigestOf([]), DerivedGrants.DigestOf([""]));
        Assert.Equal(DerivedGrants.DigestOf(["log"]), DerivedGrants.DigestOf(["log"]));
    }

    [Fact]
    public void Derived_grants_agree_with_the_evaluator_narrow_only_and_never_exceed_the_request()
    {
        var groups = new[] { "lab", "field", "quiet" };
        Gen.Select(Gen.Int[0, (1 << Asked.Length) - 1], Gen.Int[0, (1 << groups.Length) - 1], Gen.Int[0, 2].Select(i => new[] { "sensor-filter", "sensor-x", "gateway" }[i])).Sample((askMask, groupMask, container) =>
        {
            var asked = Asked.Where((_, i) => (askMask & (1 << i)) != 0).ToList();
            var inGroups = groups.Where((_, i) => (groupMask & (1 << i)) != 0).ToList();
            var derived = PermissionGrants.Derive(Set, container, asked, inGroups);
            Assert.All(derived.Granted, g => Assert.Contains(g, asked));
            Assert.Equal(asked.Count, derived.Granted.Count + derived.Withheld.Count);
            Assert.Equal(derived.Granted, asked.Where(derived.Granted.Contains));
            // What the device is granted, asked alone, is allowed in every group; the evaluator refuses exactly when something is withheld.
            var release = new ReleaseDescriptor("reg.example/acme/" + container, container, SemanticVersion.Parse("1.0.0"), [], [], [.. asked], null, null);
            foreach (var group in inGroups.Count == 0 ? [""] : inGroups)
            {
                var steps = PolicyEvaluatorPermissionSteps(release, group);
                var narrowedSteps = PolicyEvaluatorPermissionSteps(release with { Permissions = derived.Granted }, group);
                Assert.All(narrowedSteps, s => Assert.True(s.Passed, s.ToString()));
                if (derived.IsComplete) Assert.All(steps, s => Assert.True(s.Passed, s.ToString()));
            }
            if (!derived.IsComplete)
                Assert.Contains(inGroups.Count == 0 ? [""] : inGroups, g => PolicyEvaluatorPermissionSteps(release, g).Any(s => !s.Passed));
        }, iter: 300);
    }

    private static IEnumerable<DecisionStep> PolicyEvaluatorPermissionSteps(ReleaseDescriptor release, string group)
    {
        var device = new DeviceDescriptor("dev-1", "linux-x86_64", group, SemanticVersion.Parse("1.0.0"), "host");
        return PolicyEvaluator.Evaluate(Set, new DecisionRequest(release, device)).Steps.Where(s => s.Rule.StartsWith("permission/", StringComparison.Ordinal));
    }
}
