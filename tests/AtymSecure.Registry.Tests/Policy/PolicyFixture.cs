using AtymSecure.Policies.Keys;
using AtymSecure.Registry.Hosting;
using AtymSecure.RegistryPolicy;
using AtymSecure.Signer.Keys;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Registry.Tests.Policy;

/// <summary>
/// A policy folder written for the tests with real keys: <c>vendor</c> signs <c>registry.test/apps/*</c> (with SLSA
/// provenance required) and <c>registry.test/audited/*</c> (level audit); <c>other</c> is a key the policy knows but
/// trusts only for <c>registry.test/others/*</c>; <c>registry.test/loose/*</c> is level skip. Public keys in
/// <c>keys/</c>, found by fingerprint.
/// </summary>
public sealed class PolicyFixture : IDisposable
{
    public const string RegistryName = "registry.test";

    private readonly TempFolder _folder = TempFolder.Create("policies");

    public PolicyFixture()
    {
        Vendor = KeyGenerator.Generate();
        Other = KeyGenerator.Generate();
        _folder.Folder("keys");
        _folder.Write("keys/vendor.pub", Vendor.PublicKeyPem());
        _folder.Write("keys/other.pub", Other.PublicKeyPem());
        TrustYaml = $"""
            apiVersion: policy.atym.dev/v1
            kind: TrustPolicy
            metadata:
              name: registry-tests
            spec:
              keys:
                - name: vendor
                  spkiSha256: {PolicyKeyFolder.FingerprintOf(Vendor.PublicKey)}
                - name: other
                  spkiSha256: {PolicyKeyFolder.FingerprintOf(Other.PublicKey)}
              rules:
                - name: vendor-apps
                  scope: {RegistryName}/apps/*
                  keys: [vendor]
                  attestations: [slsa-provenance]
                - name: others
                  scope: {RegistryName}/others/*
                  keys: [other]
                - name: audited
                  scope: {RegistryName}/audited/*
                  keys: [vendor]
                  level: audit
                - name: loose
                  scope: {RegistryName}/loose/*
                  keys: [vendor]
                  level: skip

            """;
        _folder.Write("trust.yaml", TrustYaml);
    }

    public SoftwareSigningKey Vendor { get; }

    public SoftwareSigningKey Other { get; }

    public string TrustYaml { get; }

    public string Folder => _folder.Path;

    /// <summary>A registry in this process protecting repositories by this policy, as <c>atym registry serve --policies</c> would.</summary>
    public Task<LoopbackRegistry> StartRegistryAsync()
    {
        var options = new RegistryOptions { PolicyDirectory = Folder, RegistryName = RegistryName };
        return LoopbackRegistry.StartAsync(o => o with { PolicyDirectory = options.PolicyDirectory, RegistryName = options.RegistryName },
            RegistryPolicyGuard.Configure(options));
    }

    /// <summary>The 1-based line of <c>- name: RULE</c> in trust.yaml, as decisions cite it.</summary>
    public int LineOf(string rule) =>
        TrustYaml.Split('\n').Select((line, i) => (line, i)).First(l => l.line.Trim() == $"- name: {rule}").i + 1;

    public void Dispose()
    {
        Vendor.Dispose();
        Other.Dispose();
        _folder.Dispose();
    }
}
