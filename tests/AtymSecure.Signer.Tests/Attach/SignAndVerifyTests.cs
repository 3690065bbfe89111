using System.Text.Json;
using AtymSecure.Formats.Crypto;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Packing;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Tests.Infrastructure;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Tests.Attach;

/// <summary>Sign, attest and verify against an in-memory OCI target (the same code runs against registries below).</summary>
public class SignAndVerifyTests
{
    private static readonly DateTimeOffset Created = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
    private static TrustedKeys TrustA => TrustedKeys.Of(TestKeys.EcdsaA.PublicKey);

    private static async Task<ImageManifest> FetchManifest(IFetcher store, Descriptor d) =>
        OciJson.Deserialize<ImageManifest>(await store.FetchAllAsync(d));

    [Fact]
    public async Task Sign_pushes_a_cosign_v3_style_bundle_referrer()
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");

        var attached = await ArtifactSigner.SignAsync(store, image, TestKeys.EcdsaA, "demo/app", new SignOptions { Created = Created });

        var referrer = await FetchManifest(store, attached.Referrer);
        Assert.Equal(BundleMediaTypes.V03, referrer.ArtifactType);
        Assert.Equal(MediaTypes.EmptyJson, referrer.Config.MediaType);
        Assert.Equal(image.Digest, referrer.Subject!.Digest);
        var layer = Assert.Single(referrer.Layers);
        Assert.Equal(BundleMediaTypes.V03, layer.MediaType);
        Assert.Equal("dsse-envelope", referrer.Annotations![BundleMediaTypes.ContentAnnotation]);
        Assert.Equal(Statements.CosignSignPredicateType, referrer.Annotations[BundleMediaTypes.PredicateTypeAnnotation]);
        Assert.Equal("2026-01-02T03:04:05Z", referrer.Annotations[AnnotationKeys.Created]);

        var bundle = SigstoreBundle.Parse(await store.FetchAllAsync(layer));
        Assert.Equal(TestKeys.EcdsaA.KeyId, bundle.VerificationMaterial!.PublicKey!.Hint);
        var statement = InTotoStatement.Parse(bundle.DsseEnvelope!.Payload);
        Assert.Equal(InTotoStatement.TypeV1, statement.Type);
        Assert.Equal(image.Digest.Encoded, statement.Subject![0].Digest!["sha256"]);
    }

    [Theory]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256, BundleContent.DsseEnvelope)]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256, BundleContent.MessageSignature)]
    [InlineData(SignatureAlgorithm.Ed25519, BundleContent.DsseEnvelope)]
    [InlineData(SignatureAlgorithm.Ed25519, BundleContent.MessageSignature)]
    public async Task Signed_image_verifies_by_tag_and_by_digest(SignatureAlgorithm algorithm, BundleContent content)
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");
        var key = TestKeys.Of(algorithm);
        await ArtifactSigner.SignAsync(store, image, key, "demo/app", new SignOptions { Content = content });

        foreach (var reference in new[] { "v1", image.Digest.ToString() })
        {
            var report = await ArtifactVerifier.VerifyAsync(store, reference, TrustedKeys.Of(key.PublicKey));
            report.ThrowIfNotVerified();
            var result = Assert.Single(report.Results);
            Assert.Equal(SignatureSource.Referrer, result.Source);
            Assert.Equal(content, result.Verified!.Content);
            Assert.Equal(key.KeyId, result.Verified.KeyId);
        }
    }

    [Fact]
    public async Task Legacy_cosign_layout_is_written_and_verified_and_appends_signatures()
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");
        await ArtifactSigner.SignAsync(store, image, TestKeys.EcdsaA, "demo/app", new SignOptions { LegacyCosign = true, DockerReference = "127.0.0.1:5000/demo/app" });
        await ArtifactSigner.SignAsync(store, image, TestKeys.EcdsaB, "demo/app", new SignOptions { LegacyCosign = true });

        var sigTag = $"sha256-{image.Digest.Encoded}.sig";
        var sig = await FetchManifest(store, await store.ResolveAsync(sigTag));
        Assert.Equal(2, sig.Layers.Count);
        Assert.All(sig.Layers, l =>
        {
            Assert.Equal(SimpleSigningPayload.MediaType, l.MediaType);
            Assert.False(string.IsNullOrEmpty(l.Annotations![SimpleSigningPayload.SignatureAnnotation]));
        });
        var payload = SimpleSigningPayload.Parse(await store.FetchAllAsync(sig.Layers[0]));
        Assert.Equal(image.Digest.ToString(), payload.Critical!.Image!.DockerManifestDigest);
        Assert.Equal("127.0.0.1:5000/demo/app", payload.Critical.Identity!.DockerReference);

        var report = await ArtifactVerifier.VerifyAsync(store, "v1", TrustA);
        Assert.Contains(report.Results, r => r.Source == SignatureSource.LegacyCosignTag && r.IsVerified && r.Verified!.KeyId == TestKeys.EcdsaA.KeyId);
        Assert.Contains(report.Results, r => r.Source == SignatureSource.LegacyCosignTag && r.Failure == VerificationFailure.UntrustedKey);
        Assert.True(report.IsVerified);
    }

    [Fact]
    public async Task Legacy_signature_copied_onto_another_image_is_a_subject_mismatch()
    {
        var store = new MemoryStore();
        var signed = await TestImage.PushAsync(store, "v1", "one");
        var other = await TestImage.PushAsync(store, "v2", "two");
        var sig = await LegacyCosignSignature.WriteAsync(store, signed, TestKeys.EcdsaA, "demo/app");
        await store.TagAsync(sig, LegacyCosignSignature.TagFor(other.Digest));

        var report = await ArtifactVerifier.VerifyAsync(store, "v2", TrustA);
        var result = Assert.Single(report.Results);
        Assert.Equal(VerificationFailure.SubjectMismatch, result.Failure);
        Assert.Throws<SubjectMismatchException>(report.ThrowIfNotVerified);
    }

    [Fact]
    public async Task Unsigned_image_reports_no_signature_found()
    {
        var store = new MemoryStore();
        await TestImage.PushAsync(store, "v1");
        var report = await ArtifactVerifier.VerifyAsync(store, "v1", TrustA);
        Assert.Empty(report.Results);
        var error = Assert.Throws<NoSignatureFoundException>(report.ThrowIfNotVerified);
        Assert.Contains("v1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Image_signed_by_another_key_reports_untrusted_key()
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");
        await ArtifactSigner.SignAsync(store, image, TestKeys.EcdsaB, "demo/app");
        var report = await ArtifactVerifier.VerifyAsync(store, "v1", TrustA);
        Assert.False(report.IsVerified);
        Assert.Throws<UntrustedKeyException>(report.ThrowIfNotVerified);
    }

    [Fact]
    public async Task Bundle_about_one_image_attached_to_another_is_a_subject_mismatch()
    {
        var store = new MemoryStore();
        var signed = await TestImage.PushAsync(store, "v1", "one");
        var victim = await TestImage.PushAsync(store, "v2", "two");
        var bundle = await BundleFactory.CreateDsseAsync(TestKeys.EcdsaA, Statements.ForSignature(signed.Digest, "demo/app"));
        await BundleReferrer.PushAsync(store, victim, bundle, Created);

        var report = await ArtifactVerifier.VerifyAsync(store, "v2", TrustA);
        Assert.Equal(VerificationFailure.SubjectMismatch, Assert.Single(report.Results).Failure);
    }

    [Fact]
    public async Task Referrer_whose_layer_is_not_a_bundle_is_malformed()
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");
        var junk = await store.PushBytesAsync("text/plain", "hello"u8.ToArray());
        await Packer.PackManifestAsync(store, BundleMediaTypes.V03, new PackOptions { Layers = [junk], Subject = image });

        var report = await ArtifactVerifier.VerifyAsync(store, "v1", TrustA);
        var result = Assert.Single(report.Results);
        Assert.Equal(VerificationFailure.MalformedBundle, result.Failure);
        Assert.Throws<MalformedBundleException>(report.ThrowIfNotVerified);
    }

    [Fact]
    public async Task Referrer_holding_garbage_in_a_bundle_layer_is_malformed()
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");
        var junk = await store.PushBytesAsync(BundleMediaTypes.V03, "{\"mediaType\":"u8.ToArray());
        await Packer.PackManifestAsync(store, BundleMediaTypes.V03, new PackOptions { Layers = [junk], Subject = image });

        var report = await ArtifactVerifier.VerifyAsync(store, "v1", TrustA);
        Assert.Equal(VerificationFailure.MalformedBundle, Assert.Single(report.Results).Failure);
    }

    [Fact]
    public async Task Attest_sbom_lists_config_module_and_every_blob_with_digests()
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");
        var manifest = await FetchManifest(store, image);

        var attached = await ArtifactSigner.AttestSbomAsync(store, image, TestKeys.EcdsaA, "demo/app", Created);

        var statement = InTotoStatement.Parse(attached.Bundle.DsseEnvelope!.Payload);
        Assert.Equal(CycloneDxBom.PredicateType, statement.PredicateType);
        var bom = CycloneDxBom.Parse(JsonSerializer.SerializeToUtf8Bytes(statement.Predicate));
        Assert.Equal("1.6", bom.SpecVersion);
        Assert.Equal("demo/app", bom.Metadata!.Component!.Name);
        Assert.Equal("1.0.0", bom.Metadata.Component.Version);
        var expected = new[] { manifest.Config }.Concat(manifest.Layers).Select(d => d.Digest.Encoded).Order().ToArray();
        Assert.Equal(expected, bom.Components!.Select(c => c.Hashes!.Single().Content!).Order().ToArray());
        Assert.Contains(bom.Components!, c => c.Name == "module.wasm" && c.Type == "application" && c.MimeType == "application/wasm");
        Assert.Contains(bom.Components!, c => c.Name == "model.bin");

        var report = await ArtifactVerifier.VerifyAsync(store, "v1", TrustA);
        Assert.Equal(CycloneDxBom.PredicateType, Assert.Single(report.Accepted).Verified!.PredicateType);
    }

    [Fact]
    public async Task Attest_provenance_is_a_verified_slsa_v1_statement()
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");
        var provenance = ProvenanceBuilder.Build(new BuildRecord
        {
            BuilderId = "https://atym.dev/builders/atym-cli@1",
            ExternalParameters = new Dictionary<string, string> { ["project"] = "atym.yaml" },
            Materials = [new ResourceDescriptor { Name = "module.wasm", Digest = new Dictionary<string, string> { ["sha256"] = new string('a', 64) } }],
            StartedOn = Created,
            FinishedOn = Created.AddSeconds(3),
        });

        await ArtifactSigner.AttestProvenanceAsync(store, image, TestKeys.EcdsaA, "demo/app", provenance, Created);

        var report = await ArtifactVerifier.VerifyAsync(store, "v1", TrustA,
            new VerifyOptions { AcceptedPredicateTypes = [SlsaProvenance.PredicateType] });
        var verified = Assert.Single(report.Accepted).Verified!;
        var back = SlsaProvenance.Parse(JsonSerializer.SerializeToUtf8Bytes(verified.Statement!.Predicate));
        Assert.Equal(ProvenanceBuilder.AtymBuildType, back.BuildDefinition!.BuildType);
        Assert.Equal("https://atym.dev/builders/atym-cli@1", back.RunDetails!.Builder!.Id);
    }

    [Fact]
    public async Task Accepted_predicate_filter_does_not_count_an_sbom_as_a_signature()
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");
        await ArtifactSigner.AttestSbomAsync(store, image, TestKeys.EcdsaA, "demo/app", Created);

        var report = await ArtifactVerifier.VerifyAsync(store, "v1", TrustA,
            new VerifyOptions { AcceptedPredicateTypes = [Statements.CosignSignPredicateType] });
        Assert.False(report.IsVerified);
        var error = Assert.Throws<NoSignatureFoundException>(report.ThrowIfNotVerified);
        Assert.Contains(Statements.CosignSignPredicateType, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Attest_refuses_a_statement_about_another_manifest()
    {
        var store = new MemoryStore();
        var image = await TestImage.PushAsync(store, "v1");
        var statement = Statements.ForSignature(BundleTampering.RandomDigest(), "demo/app");
        await Assert.ThrowsAsync<ArgumentException>(() => ArtifactSigner.AttestAsync(store, image, TestKeys.EcdsaA, statement));
    }
}
