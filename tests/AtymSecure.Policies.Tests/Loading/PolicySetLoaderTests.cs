using System.Security.Cryptography;
using AtymSecure.Policies.Loading;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Tests.Loading;

public class PolicySetLoaderTests
{
    private static string Trust(string name, string key, string sha, string rule, string scope, string keys) => $"""
        apiVersion: policy.atym.dev/v1
        kind: TrustPolicy
        metadata: {"{"}name: {name}{"}"}
        spec:
          keys:
            - {"{"}name: {key}, spkiSha256: {sha}{"}"}
          rules:
            - {"{"}name: {rule}, scope: "{scope}", keys: [{keys}]{"}"}
        """;

    [Fact]
    public void The_samples_policy_set_is_valid()
    {
        var folder = PolicySetLoader.LoadFolder(TestPaths.SamplePolicies);
        Assert.Empty(folder.Problems);
        Assert.NotNull(folder.Set);
        Assert.Equal(4, folder.Set.Trust.Count + folder.Set.Deployment.Count + folder.Set.Permission.Count + folder.Set.Device.Count);
        Assert.NotEmpty(folder.Tests);
    }

    [Fact]
    public void The_samples_key_fingerprints_are_the_sha256_of_the_committed_public_keys()
    {
        var set = PolicySetLoader.LoadFolder(TestPaths.SamplePolicies).Set!;
        foreach (var key in set.Keys)
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(File.ReadAllText(Path.Combine(TestPaths.SamplePolicies, "keys", key.Name + ".pub")));
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(ecdsa.ExportSubjectPublicKeyInfo())), key.SpkiSha256);
        }
    }

    [Fact]
    public void Rules_across_files_must_name_defined_keys_and_groups_and_names_are_unique_across_files()
    {
        var permissions = """
            apiVersion: policy.atym.dev/v1
            kind: PermissionPolicy
            metadata: {name: p}
            spec:
              rules:
                - {name: r, containers: [a], groups: [nowhere], capabilities: [log]}
            """;
        var folder = PolicyText.Load(
            ("a.yaml", Trust("a", "k1", PolicyText.Key1, "r1", "x.example/a/*", "k1, k9")),
            ("b.yaml", Trust("b", "k1", PolicyText.Key2, "r2", "x.example/a/*", "k1")),
            ("c.yaml", permissions));
        Assert.Null(folder.Set);
        Assert.Equal([Duplicate, Duplicate, UnknownGroup, UnknownKey], folder.Problems.Select(p => p.Code).Order(StringComparer.Ordinal));
        Assert.Contains(folder.Problems, p => p.Code == UnknownKey && p.Message.Contains("'k9'", StringComparison.Ordinal) && p.Position!.Value.File == "a.yaml");
        Assert.Contains(folder.Problems, p => p.Code == Duplicate && p.Message.Contains("also defined in a.yaml:6:7", StringComparison.Ordinal));
        Assert.Contains(folder.Problems, p => p.Code == UnknownGroup && p.Message.Contains("'nowhere'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_set_digest_changes_with_any_policy_byte_and_ignores_tests()
    {
        var a = PolicyText.Load(("a.yaml", Trust("a", "k1", PolicyText.Key1, "r1", "x.example/a/*", "k1"))).Set!;
        var b = PolicyText.Load(("a.yaml", Trust("a", "k1", PolicyText.Key1, "r1", "x.example/a/*", "k1") + "\n# comment")).Set!;
        Assert.NotEqual(a.Digest, b.Digest);
        Assert.True(a.Digest.IsSha256);
    }

    [Fact]
    public void A_missing_folder_is_one_problem()
    {
        var folder = PolicySetLoader.LoadFolder("/nonexistent/policies");
        Assert.Equal(Required, Assert.Single(folder.Problems).Code);
    }
}
