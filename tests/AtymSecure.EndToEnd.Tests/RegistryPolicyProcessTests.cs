using AtymSecure.Formats.Crypto;
using AtymSecure.Policies.Keys;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.EndToEnd.Tests;

/// <summary>
/// Issue 15 §3 at the registry through real processes: `atym registry serve --policies DIR --policy-keys DIR
/// --registry-name registry.test`, and `atym push`, `sign`, `attest` and `tag` as a person runs them. An unsigned
/// artifact cannot take a tag in a protected repository (DENIED naming the rule); the same manifest, pushed by digest
/// meanwhile, takes it once signed and attested by the trusted key; an audit-level repository accepts and logs.
/// </summary>
[Trait("Requires", "process")]
public sealed class RegistryPolicyProcessTests : IAsyncLifetime
{
    private readonly TempFolder _folder = TempFolder.Create("registry-policy");
    private readonly AtymProcess _atym;
    private AtymRegistryProcess _registry = null!;

    public RegistryPolicyProcessTests()
    {
        _atym = new AtymProcess(_folder.Path, new Dictionary<string, string> { ["ATYM_KEY_PASSPHRASE"] = "policy-test" });
    }

    public async Task InitializeAsync()
    {
        await _atym.Ok("keygen", "vendor");
        var keys = _folder.Folder("policy-keys");
        File.Copy(_folder.File("vendor.pub"), Path.Combine(keys, "vendor.pub"));
        var fingerprint = PolicyKeyFolder.FingerprintOf(VerificationKey.FromFile(_folder.File("vendor.pub")));
        _folder.Folder("policies");
        _folder.Write("policies/trust.yaml", $"""
            apiVersion: policy.atym.dev/v1
            kind: TrustPolicy
            metadata:
              name: process-test
            spec:
              keys:
                - name: vendor
                  spkiSha256: {fingerprint}
              rules:
                - name: apps
                  scope: registry.test/apps/*
                  keys: [vendor]
                  attestations: [slsa-provenance]
                - name: audited
                  scope: registry.test/audited/*
                  keys: [vendor]
                  level: audit

            """);
        _folder.Write("payload.txt", "hello, protected repository\n");
        _registry = new AtymRegistryProcess(serveArguments: ["--policies", _folder.File("policies"), "--policy-keys", keys, "--registry-name", "registry.test"]);
        await _registry.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _registry.DisposeAsync();
        _folder.Dispose();
    }

    private string Ref(string repository) => $"{_registry.HostPort}/{repository}";

    [Fact]
    public async Task An_unsigned_artifact_is_denied_a_protected_tag_and_takes_it_once_signed_and_attested()
    {
        Assert.Contains("protected repositories from", _registry.Log, StringComparison.Ordinal);
        // The same files give the same manifest (no created stamp without SOURCE_DATE_EPOCH): its digest, from a local layout.
        var local = await _atym.Ok("push", $"oci:{_folder.File("layout")}:v1", "payload.txt");
        var digest = local.Split('\n').Single(l => l.StartsWith("Digest: ", StringComparison.Ordinal))["Digest: ".Length..].Trim();

        var denied = await _atym.Run("push", $"{Ref("apps/demo")}:v1", "payload.txt");

        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("DENIED", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("trust/apps", denied.StdErr, StringComparison.Ordinal);
        Assert.Contains("trust.yaml:10:", denied.StdErr, StringComparison.Ordinal);
        await Wait.UntilAsync(() => _registry.Log.Contains("refused tag v1 of registry.test/apps/demo", StringComparison.Ordinal), "the registry logs the refusal");
        Assert.NotEqual(0, (await _atym.Run("manifest", "fetch", $"{Ref("apps/demo")}:v1")).ExitCode);

        // The push stored the manifest by digest (no tag moved): sign and attest it there, then tag it.
        await _atym.Ok("sign", $"{Ref("apps/demo")}@{digest}", "--key", "vendor.key");
        var stillMissing = await _atym.Run("tag", $"{Ref("apps/demo")}@{digest}", "v1");
        Assert.Contains("missing attestation slsa-provenance", stillMissing.StdErr, StringComparison.Ordinal);
        await _atym.Ok("attest", $"{Ref("apps/demo")}@{digest}", "--key", "vendor.key", "--type", "slsa");
        var tagged = await _atym.Ok("tag", $"{Ref("apps/demo")}@{digest}", "v1");

        Assert.Contains($"Tagged v1 => {digest}", tagged, StringComparison.Ordinal);
        Assert.Contains(digest, await _atym.Ok("manifest", "fetch", "--descriptor", $"{Ref("apps/demo")}:v1"), StringComparison.Ordinal);
        await Wait.UntilAsync(() => _registry.Log.Contains("accepted tag v1 of registry.test/apps/demo", StringComparison.Ordinal), "the registry logs the acceptance");
    }

    [Fact]
    public async Task An_audit_level_repository_takes_an_unsigned_artifact_and_logs_what_it_would_refuse()
    {
        await _atym.Ok("push", $"{Ref("audited/demo")}:v1", "payload.txt");

        await Wait.UntilAsync(() => _registry.Log.Contains("audit: accepted tag v1 of registry.test/audited/demo", StringComparison.Ordinal), "the registry logs the audit");
        Assert.Contains("trust/audited", _registry.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unprotected_repositories_take_unsigned_tags() =>
        await _atym.Ok("push", $"{Ref("scratch/demo")}:v1", "payload.txt");
}
