using System.Security.Cryptography;
using AtymSecure.Delivery.Tests.Support;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Wire;

namespace AtymSecure.OtaReleases.Tests.Policy;

/// <summary>
/// Release import without policies still records what the signature check found (the dashboard's releases page shows it,
/// and policies turned on later decide on it): on the real signed samples in our registry on loopback, the vendor key by
/// SPKI SHA-256 and the in-toto attestations the vendor attached, with no import rule or policy set.
/// </summary>
public sealed class ReleaseFactsImportTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>
{
    private string VendorKey => Convert.ToHexStringLower(SHA256.HashData(world.Samples.Trusted.PublicKeySpki.Span));

    [Fact]
    public async Task A_release_imported_without_policies_records_its_signer_and_no_decision()
    {
        var release = await world.Importer(new MemoryReleaseStore()).ImportAsync(new ReleaseRequest(await world.FreshCopyAsync("sf-1.0.0", "1.0.0")));

        var facts = release.PolicyFacts!;
        Assert.Equal([VendorKey], facts.Signers);
        Assert.Empty(facts.Attestations);
        Assert.Equal(["log", "sensor:temp0", "publish:telemetry/temp"], facts.Permissions);
        Assert.Equal(((string?)null, (string?)null), (facts.ImportRule, facts.ImportPolicySet));
    }

    [Fact]
    public async Task An_sbom_and_a_slsa_provenance_the_vendor_attested_are_recorded_by_kind_and_a_strangers_is_not()
    {
        var reference = await world.FreshCopyAsync("sf-1.0.0", "1.0.0");
        var name = reference[(reference.IndexOf('/') + 1)..reference.LastIndexOf(':')];
        var repository = world.Registry.Repository(name);
        var manifest = await repository.ResolveAsync("1.0.0");
        await ArtifactSigner.AttestSbomAsync(repository, manifest, world.Samples.Trusted, $"{world.Registry.Host}/{name}", SignedSampleStore.Now);
        var provenance = ProvenanceBuilder.Build(new BuildRecord
        {
            BuilderId = "https://atym.dev/builders/atym-cli@1",
            ExternalParameters = new Dictionary<string, string> { ["project"] = "atym.yaml" },
            Materials = [new ResourceDescriptor { Name = "module.wasm", Digest = new Dictionary<string, string> { ["sha256"] = new string('a', 64) } }],
            StartedOn = SignedSampleStore.Now,
            FinishedOn = SignedSampleStore.Now.AddSeconds(3),
        });
        await ArtifactSigner.AttestProvenanceAsync(repository, manifest, world.Samples.Trusted, $"{world.Registry.Host}/{name}", provenance, SignedSampleStore.Now);
        // A stranger's attestation is not counted: only what verifies under the vendor keys is a fact.
        await ArtifactSigner.AttestSbomAsync(repository, manifest, world.Samples.Stranger, $"{world.Registry.Host}/{name}", SignedSampleStore.Now);

        var release = await world.Importer(new MemoryReleaseStore()).ImportAsync(new ReleaseRequest(reference));

        Assert.Equal([VendorKey], release.PolicyFacts!.Signers);
        Assert.Equal(["sbom", "slsa-provenance"], release.PolicyFacts.Attestations);
    }
}
