using AtymSecure.Primitives;
using AtymSecure.Registry.Hosting;
using AtymSecure.RegistryPolicy;
using AtymSecure.TestSupport;

namespace AtymSecure.Registry.Tests.Policy;

/// <summary>Starting with a policy: a broken folder stops the start with its problems; a policy nothing enforces is refused.</summary>
public sealed class RegistryPolicyGuardTests
{
    [Fact]
    public void A_broken_policy_folder_stops_the_start_naming_file_line_and_column()
    {
        using var folder = TempFolder.Create("policies");
        folder.Write("trust.yaml", "apiVersion: policy.atym.dev/v1\nkind: TrustPolicy\nmetadata:\n  name: broken\nspec:\n  keys: []\n  rules:\n    - name: r\n      scope: NOT A SCOPE\n      keys: [vendor]\n");

        var error = Assert.Throws<InvalidOptionsException>(() => RegistryPolicyGuard.Configure(new RegistryOptions { PolicyDirectory = folder.Path }));

        Assert.Contains(error.Problems, p => p.Position is { Line: 9 } && p.Message.Contains("is not a scope", StringComparison.Ordinal));
        Assert.All(error.Problems, p => Assert.EndsWith("trust.yaml", p.Position!.Value.File, StringComparison.Ordinal));
    }

    [Fact]
    public void A_policy_folder_without_the_guard_refuses_to_start_rather_than_protect_nothing()
    {
        using var data = TempFolder.Create("registry");
        using var policies = TempFolder.Create("policies");

        var error = Assert.Throws<InvalidOperationException>(() =>
            RegistryServer.Build(new RegistryOptions { DataDirectory = data.Path, ListenUrl = "127.0.0.1:0", PolicyDirectory = policies.Path }));

        Assert.Contains("adds no tag policy guard", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Registry.Example.com")]
    [InlineData("host/path")]
    [InlineData("host:port")]
    public void A_registry_name_that_no_scope_could_name_is_an_options_problem(string name)
    {
        var problems = new RegistryOptions { RegistryName = name }.Validate();

        Assert.Contains(problems, p => p.Code == RegistryOptionProblemCodes.InvalidRegistryName && p.Path == "registryName");
    }

    [Fact]
    public void Policy_keys_without_a_policy_folder_is_an_options_problem()
    {
        using var keys = TempFolder.Create("keys");

        var problems = new RegistryOptions { PolicyKeysDirectory = keys.Path }.Validate();

        Assert.Contains(problems, p => p.Code == RegistryOptionProblemCodes.Required && p.Path == "policyDirectory");
    }

    [Theory]
    [InlineData("sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", true)]
    [InlineData("sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.sig", true)]
    [InlineData("sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.att", true)]
    [InlineData("sha256-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.sbom", true)]
    [InlineData("sha256-0123456789abcdef.sig", false)]
    [InlineData("sha256-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", false)]
    [InlineData("v1.0.0", false)]
    [InlineData("latest", false)]
    public void Only_signature_layout_tags_are_exempt(string tag, bool exempt) =>
        Assert.Equal(exempt, SignatureTags.IsExempt(tag));
}
