using System.Security.Cryptography;
using System.Text.Json;
using AtymSecure.Delivery.Tests.Support;
using AtymSecure.Formats.DeviceClasses;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Policy;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaStore.LiteDb;
using AtymSecure.Policies.Serving;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Policies;

namespace AtymSecure.OtaReleases.Tests.Policy;

/// <summary>
/// Release import under a trust policy, on the real signed samples in our registry on loopback: the signatures that
/// verified under the vendor key count by SPKI SHA-256, so a rule naming that key admits the release and records what it
/// decided on; a rule needing an attestation the container lacks, or another key, refuses it naming the rule, its file
/// and line and the set's digest; each decision is in the audit log (the real LiteDB one) with the digest.
/// </summary>
public sealed class ReleaseImportPolicyTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>, IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("import-policies");
    private OtaDatabase? _database;

    private string Trust(string key, params string[] attestations) => FleetPolicies.Trust(key, $"{world.Registry.Host}/samples/*", attestations);

    private string VendorKey => Convert.ToHexStringLower(SHA256.HashData(world.Samples.Trusted.PublicKeySpki.Span));

    private (ReleaseImporter Importer, LiteDbAuditLog Audit, PolicySetSource Source) Importer(string trustYaml)
    {
        _folder.Folder("policies");
        _folder.Write("policies/trust.yaml", trustYaml);
        var source = new PolicySetSource(_folder.File("policies"));
        Assert.True(source.State.IsReady, string.Join("\n", source.State.LastFailure?.Problems ?? []));
        _database = new OtaDatabase(_folder.Folder("data-" + Guid.NewGuid().ToString("N")[..8]));
        var audit = new LiteDbAuditLog(_database);
        var gate = new OtaPolicyGate(source, audit, new FixedTime(SignedSampleStore.Now));
        var importer = new ReleaseImporter(new MemoryReleaseStore(), world.RegistryAccess, world.Samples.TrustedKeys,
            new ConfiguredFleetClasses([DeviceClassTable.LinuxX86_64.Name]), world.CompilerKey, new FixedTime(SignedSampleStore.Now), TimeSpan.FromDays(180),
            policy: gate);
        return (importer, audit, source);
    }

    [Fact]
    public async Task A_release_signed_by_the_key_the_rule_names_is_imported_with_what_the_policy_decided_on()
    {
        var (importer, audit, source) = Importer(Trust(VendorKey));
        using var _ = source;

        var release = await importer.ImportAsync(new ReleaseRequest(await world.FreshCopyAsync("sf-1.0.0", "1.0.0")));

        var facts = release.PolicyFacts!;
        Assert.Equal([VendorKey], facts.Signers);
        Assert.Empty(facts.Attestations); // signed, not attested
        Assert.Equal(["log", "sensor:temp0", "publish:telemetry/temp"], facts.Permissions);
        Assert.Equal((131072L, 50), (facts.MaxMemoryBytes, facts.CpuBudgetMs));
        Assert.Equal(("trust/samples", source.State.Serving!.Digest.ToString()), (facts.ImportRule, facts.ImportPolicySet));
        var entry = Assert.Single(audit.Page(0, 100).Entries, e => e.Action == "policy.release-import");
        Assert.Equal($"release/{release.Id}", entry.Subject);
        var after = JsonDocument.Parse(entry.After!).RootElement;
        Assert.Equal(("allow", facts.ImportPolicySet), (after.GetProperty("decision").GetString(), after.GetProperty("policySet").GetString()));
    }

    [Fact]
    public async Task A_rule_needing_an_attestation_the_container_lacks_refuses_it_naming_the_rule_its_line_and_the_set()
    {
        var trust = Trust(VendorKey, "slsa-provenance", "sbom");
        var (importer, audit, source) = Importer(trust);
        using var _ = source;

        var refused = await Assert.ThrowsAsync<OtaProblemException>(() => importer.ImportAsync(new ReleaseRequest(world.SensorFilter("1.0.0"))));

        Assert.Equal(403, refused.Status);
        var problem = Assert.Single(refused.Problems);
        Assert.Equal((PolicyRefusalCodes.TrustDenied, "$.reference"), (problem.Code, problem.Path));
        Assert.Equal(_folder.File("policies/trust.yaml"), problem.Position!.Value.File);
        Assert.Equal(trust.Split('\n').ToList().FindIndex(l => l.Contains("- name: samples", StringComparison.Ordinal)) + 1, problem.Position.Value.Line);
        Assert.Contains("denied by trust/samples", problem.Message, StringComparison.Ordinal);
        Assert.Contains("missing attestations slsa-provenance, sbom", problem.Message, StringComparison.Ordinal);
        Assert.Contains($"policy set {source.State.Serving!.Digest}", problem.Message, StringComparison.Ordinal);
        Assert.Equal("deny", JsonDocument.Parse(Assert.Single(audit.Page(0, 100).Entries, e => e.Action == "policy.release-import").After!).RootElement
            .GetProperty("decision").GetString());
    }

    [Fact]
    public async Task A_rule_naming_another_key_refuses_a_release_the_server_verified()
    {
        var stranger = Convert.ToHexStringLower(SHA256.HashData(world.Samples.Stranger.PublicKeySpki.Span));
        var (importer, _, source) = Importer(Trust(stranger));
        using var __ = source;

        var refused = await Assert.ThrowsAsync<OtaProblemException>(() => importer.ImportAsync(new ReleaseRequest(world.SensorFilter("1.0.0"))));

        Assert.Contains("0 of the 1 required signature by vendor", refused.Problems[0].Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _database?.Dispose();
        _folder.Dispose();
    }
}
