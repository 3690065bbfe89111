using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Tests.Infrastructure;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;

namespace AtymSecure.Signer.Tests.Verification;

public class BundleVerifierTests
{
    private static readonly byte[] Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.wasm.config.v0+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"""u8.ToArray();
    private static readonly Digest ManifestDigest = Digest.Compute(Manifest);

    private static TrustedKeys Trust(params SoftwareSigningKey[] keys) => new(keys.Select(k => k.PublicKey));

    private static async Task<byte[]> DsseBundle(ISigningKey key, Digest? subject = null) =>
        (await BundleFactory.CreateDsseAsync(key, Statements.ForSignature(subject ?? ManifestDigest, "demo/app"))).ToJson();

    private static async Task<byte[]> MessageBundle(ISigningKey key, byte[]? artifact = null) =>
        (await BundleFactory.CreateMessageSignatureAsync(key, artifact ?? Manifest)).ToJson();

    [Theory]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData(SignatureAlgorithm.Ed25519)]
    public async Task Dsse_bundle_verifies_and_reports_key_and_predicate(SignatureAlgorithm algorithm)
    {
        var key = TestKeys.Of(algorithm);
        var verified = BundleVerifier.Verify(await DsseBundle(key), Trust(key), ManifestDigest, Manifest);

        Assert.Equal(BundleContent.DsseEnvelope, verified.Content);
        Assert.Equal(key.KeyId, verified.KeyId);
        Assert.Equal(algorithm, verified.Algorithm);
        Assert.Equal(Statements.CosignSignPredicateType, verified.PredicateType);
    }

    [Theory]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData(SignatureAlgorithm.Ed25519)]
    public async Task Message_signature_bundle_verifies(SignatureAlgorithm algorithm)
    {
        var key = TestKeys.Of(algorithm);
        var verified = BundleVerifier.Verify(await MessageBundle(key), Trust(key), ManifestDigest, Manifest);
        Assert.Equal(BundleContent.MessageSignature, verified.Content);
        Assert.Equal(key.KeyId, verified.KeyId);
    }

    [Fact]
    public async Task Tampered_payload_is_a_bad_signature()
    {
        var json = BundleTampering.EditDssePayload(await DsseBundle(TestKeys.EcdsaA), p => p.Replace("demo/app", "demo/evil", StringComparison.Ordinal));
        var error = Assert.Throws<BadSignatureException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
        Assert.Equal(VerificationFailure.BadSignature, error.Failure);
    }

    [Fact]
    public async Task Flipped_signature_bit_is_a_bad_signature()
    {
        var json = BundleTampering.FlipSignatureBit(await DsseBundle(TestKeys.Ed25519A));
        Assert.Throws<BadSignatureException>(() => BundleVerifier.Verify(json, Trust(TestKeys.Ed25519A), ManifestDigest, Manifest));
    }

    [Fact]
    public async Task Swapped_subject_after_signing_breaks_the_signature()
    {
        var other = BundleTampering.RandomDigest();
        var json = BundleTampering.SwapSubject(await DsseBundle(TestKeys.EcdsaA), ManifestDigest, other);
        Assert.Throws<BadSignatureException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), other, Manifest));
    }

    [Fact]
    public async Task Valid_signature_over_another_artifact_is_a_subject_mismatch()
    {
        var other = BundleTampering.RandomDigest();
        var json = await DsseBundle(TestKeys.EcdsaA, subject: other);
        var error = Assert.Throws<SubjectMismatchException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
        Assert.Contains(other.Encoded, error.Message, StringComparison.Ordinal);
        Assert.Contains(ManifestDigest.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signature_by_an_untrusted_key_is_an_untrusted_key()
    {
        var json = await DsseBundle(TestKeys.EcdsaB);
        var error = Assert.Throws<UntrustedKeyException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
        Assert.Contains(TestKeys.EcdsaB.KeyId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hint_naming_a_trusted_key_does_not_make_another_keys_signature_trusted()
    {
        var json = BundleTampering.SetHint(await DsseBundle(TestKeys.EcdsaB), TestKeys.EcdsaA.KeyId);
        Assert.Throws<BadSignatureException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
    }

    [Fact]
    public async Task A_wrong_or_missing_hint_does_not_stop_a_trusted_key_from_verifying()
    {
        var json = BundleTampering.SetHint(await DsseBundle(TestKeys.EcdsaA), "not-a-key-id");
        var verified = BundleVerifier.Verify(json, Trust(TestKeys.EcdsaB, TestKeys.EcdsaA), ManifestDigest, Manifest);
        Assert.Equal(TestKeys.EcdsaA.KeyId, verified.KeyId);
    }

    [Fact]
    public async Task Message_digest_that_is_not_the_artifacts_is_a_digest_mismatch()
    {
        // sigstore-js accepts this bundle when there is no tlog entry; we must not.
        var json = BundleTampering.SetMessageDigest(await MessageBundle(TestKeys.EcdsaA), SHA256.HashData("something else"u8));
        var error = Assert.Throws<DigestMismatchException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
        Assert.Contains("messageDigest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_signature_over_other_bytes_does_not_verify()
    {
        var other = "another manifest"u8.ToArray();
        var json = BundleTampering.SetMessageDigest(await MessageBundle(TestKeys.EcdsaA, other), SHA256.HashData(Manifest));
        Assert.Throws<BadSignatureException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
    }

    [Fact]
    public async Task Message_signature_needs_the_artifact_that_matches_the_subject()
    {
        var json = await MessageBundle(TestKeys.EcdsaA);
        Assert.Throws<DigestMismatchException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, "other"u8));
    }

    [Theory]
    [InlineData("application/vnd.dev.sigstore.bundle.v0.4+json")]
    [InlineData("application/vnd.dev.sigstore.bundle+json;version=0.9")]
    [InlineData("application/json")]
    public async Task Unknown_bundle_media_types_are_unsupported(string mediaType)
    {
        var json = BundleTampering.SetMediaType(await DsseBundle(TestKeys.EcdsaA), mediaType);
        var error = Assert.Throws<UnsupportedMediaTypeException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
        Assert.Contains(mediaType, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/vnd.dev.sigstore.bundle+json;version=0.3")]
    [InlineData("application/vnd.dev.sigstore.bundle+json;version=0.2")]
    public async Task Legacy_version_parameter_media_types_are_read(string mediaType)
    {
        var json = BundleTampering.SetMediaType(await DsseBundle(TestKeys.EcdsaA), mediaType);
        Assert.Equal(TestKeys.EcdsaA.KeyId, BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest).KeyId);
    }

    [Fact]
    public async Task Dsse_payload_that_is_not_in_toto_is_unsupported()
    {
        var bundle = await BundleFactory.CreateDsseAsync(TestKeys.EcdsaA, "text/plain", "hello"u8.ToArray());
        Assert.Throws<UnsupportedMediaTypeException>(() => BundleVerifier.Verify(bundle.ToJson(), Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
    }

    [Fact]
    public async Task Signed_payload_that_is_not_a_statement_is_malformed()
    {
        var bundle = await BundleFactory.CreateDsseAsync(TestKeys.EcdsaA, InTotoStatement.PayloadType, "[1,2,3]"u8.ToArray());
        var error = Assert.Throws<MalformedBundleException>(() => BundleVerifier.Verify(bundle.ToJson(), Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
        Assert.Contains("signed payload", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_bundles_are_not_trusted_by_key_verification()
    {
        var json = """{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"certificate":{"rawBytes":"AAAA"}},"messageSignature":{"messageDigest":{"algorithm":"SHA2_256","digest":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="},"signature":"AAAA"}}"""u8.ToArray();
        var error = Assert.Throws<UntrustedKeyException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
        Assert.Contains("certificate", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{}")]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}""")]
    [InlineData("""{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json","verificationMaterial":{"publicKey":{"hint":"x"}}}""")]
    public void Malformed_bundles_are_reported_as_such(string json)
    {
        var error = Assert.ThrowsAny<SignatureVerificationException>(() =>
            BundleVerifier.Verify(System.Text.Encoding.UTF8.GetBytes(json), Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
        Assert.Equal(VerificationFailure.MalformedBundle, error.Failure);
    }
}
