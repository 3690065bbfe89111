using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Policies.Delegations;
using AtymSecure.Policies.Keys;
using AtymSecure.Policies.Loading;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.Policies.Tests.Delegations;

/// <summary>
/// The device's vendor delegations derived from the trust policy (issue 15 §3, device): the samples' set against a
/// golden, the order a first-match search needs, what is left out, and the problems that stop a derivation.
/// </summary>
public sealed class PolicyDelegationsTests
{
    private static DerivedDelegations Samples() =>
        PolicyDelegations.Derive(PolicySetLoader.LoadFolder(TestPaths.SamplePolicies).Set!, PolicyKeyFolder.Load(Path.Combine(TestPaths.SamplePolicies, "keys")));

    [Fact]
    public void The_samples_trust_policy_implies_the_golden_delegations()
    {
        var derived = Samples();

        Assert.True(derived.IsValid, string.Join("\n", derived.Problems));
        var text = derived.Format().Replace(TestPaths.SamplePolicies, "policies/samples", StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(TestPaths.Golden("delegations/samples.txt")), text);
    }

    [Fact]
    public void Exact_scopes_come_before_prefixes_so_the_first_match_is_the_rule_the_policy_would_pick()
    {
        var derived = Samples();

        Assert.Equal(["vendor-faulty", "vendor-sensor-filter", "vendor-samples"], derived.Delegations.Select(d => d.Role));
        var sensorFilter = derived.Delegations[1];
        Assert.Equal(2, sensorFilter.Threshold);
        Assert.Equal(["sources/sensor-filter/*/module.wasm"], sensorFilter.Paths);
        Assert.Equal(["vendor-samples", "release-manager"], sensorFilter.KeyNames);
        // A device resolving sensor-filter's source takes the 2-of-2 role, not the samples' 1-of-1 one.
        var first = derived.Delegations.First(d => d.Paths.Any(p => PathPattern.Matches(p, "sources/sensor-filter/1.1.0/module.wasm")));
        Assert.Equal("vendor-sensor-filter", first.Role);
    }

    [Fact]
    public void Compiler_only_rules_and_skip_rules_imply_no_vendor_delegation_and_say_so()
    {
        var derived = Samples();

        Assert.DoesNotContain(derived.Delegations, d => d.Rule == "trust/compiled");
        Assert.Contains(derived.Notes, n => n.StartsWith("trust/compiled (", StringComparison.Ordinal) && n.Contains("add-delegation --compiler", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_rules_a_device_cannot_tell_apart_are_a_conflict_naming_both()
    {
        using var folder = PolicyFolder("""
              rules:
                - name: team-a
                  scope: registry.test/team-a/*
                  keys: [a]
                - name: team-b
                  scope: registry.test/team-b/*
                  keys: [b]
            """, out var keys);

        var derived = PolicyDelegations.Derive(PolicySetLoader.LoadFolder(folder.Path).Set!, keys);

        var problem = Assert.Single(derived.Problems);
        Assert.Equal(PolicyProblemCodes.DelegationConflict, problem.Code);
        Assert.Contains("trust/team-b and trust/team-a", problem.Message, StringComparison.Ordinal);
        Assert.Contains("'*'", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_without_its_public_key_file_is_a_problem_at_the_key()
    {
        using var folder = PolicyFolder("""
              rules:
                - name: team-a
                  scope: registry.test/team-a/app
                  keys: [a, b]
                  threshold: 2
            """, out _);

        var derived = PolicyDelegations.Derive(PolicySetLoader.LoadFolder(folder.Path).Set!, PolicyKeyFolder.Empty);

        Assert.Equal(2, derived.Problems.Count);
        Assert.All(derived.Problems, p => Assert.Equal(PolicyProblemCodes.KeyFileMissing, p.Code));
        Assert.All(derived.Problems, p => Assert.EndsWith("trust.yaml", p.Position!.Value.File, StringComparison.Ordinal));
    }

    [Fact]
    public void Signed_targets_that_agree_report_nothing_and_each_disagreement_is_named()
    {
        var derived = Samples();
        var agreeing = new Formats.UpdateMetadata.Model.Delegations(
            new EquatableMap<TufKey>(derived.Delegations.SelectMany(d => d.Keys).DistinctBy(k => k.KeyId).Select(k => KeyValuePair.Create(k.KeyId, k))),
            [.. derived.Delegations.Select(d => new DelegatedRole(d.Role, new RoleKeys(d.KeyIds, d.Threshold), true, d.Paths))]);
        Assert.Empty(DelegationComparison.Differences(derived, agreeing));

        var roles = agreeing.Roles.ToList();
        var sensor = roles.Single(r => r.Name == "vendor-sensor-filter");
        roles[roles.IndexOf(sensor)] = sensor with { Keys = new RoleKeys([sensor.Keys.KeyIds[0]], 1) };
        roles.Add(new DelegatedRole("vendor-rogue", new RoleKeys([sensor.Keys.KeyIds[0]], 1), true, ["sources/*/*/module.wasm"]));
        (roles[0], roles[2]) = (roles[2], roles[0]);
        roles.Remove(roles.Single(r => r.Name == "vendor-faulty"));

        var differences = DelegationComparison.Differences(derived, agreeing with { Roles = [.. roles] });

        Assert.Contains(differences, d => d.StartsWith("vendor-faulty is missing", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("vendor-sensor-filter trusts keys", StringComparison.Ordinal) && d.Contains("trust/sensor-filter (", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("vendor-sensor-filter needs 1 signature(s); trust/sensor-filter", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("vendor-rogue is in the signed targets but no trust rule implies it", StringComparison.Ordinal));
        Assert.Contains(differences, d => d.StartsWith("vendor delegations are ordered vendor-samples, vendor-sensor-filter", StringComparison.Ordinal));
    }

    [Fact]
    public void Targets_without_delegations_miss_every_vendor_role()
    {
        var derived = Samples();

        Assert.Equal(derived.Delegations.Count, DelegationComparison.Differences(derived, null).Count);
    }

    /// <summary>A trust policy with keys a and b (fresh P-256 keys, their .pub files in the returned key folder) and the given rules.</summary>
    private static TempFolder PolicyFolder(string rules, out PolicyKeyFolder keys)
    {
        var folder = TempFolder.Create("policies");
        using var a = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var b = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        folder.Folder("keys");
        folder.Write("keys/a.pub", a.ExportSubjectPublicKeyInfoPem());
        folder.Write("keys/b.pub", b.ExportSubjectPublicKeyInfoPem());
        static string Fingerprint(System.Security.Cryptography.ECDsa key) =>
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(key.ExportSubjectPublicKeyInfo()));
        folder.Write("trust.yaml", $"""
            apiVersion: policy.atym.dev/v1
            kind: TrustPolicy
            metadata:
              name: delegation-tests
            spec:
              keys:
                - name: a
                  spkiSha256: {Fingerprint(a)}
                - name: b
                  spkiSha256: {Fingerprint(b)}

            """ + rules);
        keys = PolicyKeyFolder.Load(folder.File("keys"));
        return folder;
    }
}
