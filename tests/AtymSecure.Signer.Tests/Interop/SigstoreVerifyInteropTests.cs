using System.Security.Cryptography;
using AtymSecure.Formats.Crypto;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Keys;
using AtymSecure.Signer.Tests.Infrastructure;
using AtymSecure.Signer.Verification;
using AtymSecure.TestSupport;

namespace AtymSecure.Signer.Tests.Interop;

/// <summary>
/// Our bundles checked by the npm package @sigstore/verify (tests/node/verify-bundle.js), offline,
/// trusting only our public key. Every rejection is checked in our verifier too.
/// </summary>
[Trait("Requires", "node")]
public sealed class SigstoreVerifyInteropTests : IDisposable
{
    private static readonly byte[] Manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"application/vnd.atym.test","config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[]}"""u8.ToArray();
    private static readonly Digest ManifestDigest = Digest.Compute(Manifest);

    private readonly TempFolder _dir = TempFolder.Create("signer");

    public void Dispose() => _dir.Dispose();

    private string PublicKeyFile(SoftwareSigningKey key) => _dir.Write($"{Guid.NewGuid():N}.pub", key.PublicKeyPem());

    private string BundleFile(byte[] json) => _dir.Write($"{Guid.NewGuid():N}.sigstore.json", json);

    private string ArtifactFile(byte[] bytes) => _dir.Write($"{Guid.NewGuid():N}.artifact", bytes);

    private static async Task<byte[]> Dsse(SoftwareSigningKey key, Digest? subject = null) =>
        (await BundleFactory.CreateDsseAsync(key, Statements.ForSignature(subject ?? ManifestDigest, "demo/app"))).ToJson();

    private static async Task<byte[]> Message(SoftwareSigningKey key) =>
        (await BundleFactory.CreateMessageSignatureAsync(key, Manifest)).ToJson();

    private static void AssertNodeAccepts(ToolResult result) =>
        Assert.True(result.ExitCode == NodePeer.Verified, $"@sigstore/verify rejected our bundle: {result}");

    private static void AssertNodeRejects(ToolResult result, string expectedCode)
    {
        Assert.True(result.ExitCode == NodePeer.Rejected, $"@sigstore/verify accepted a bad bundle: {result}");
        Assert.Contains(expectedCode, result.StdErr, StringComparison.Ordinal);
    }

    private static TrustedKeys Trust(SoftwareSigningKey key) => TrustedKeys.Of(key.PublicKey);

    [Theory]
    [InlineData(SignatureAlgorithm.EcdsaP256Sha256)]
    [InlineData(SignatureAlgorithm.Ed25519)]
    public async Task Dsse_bundle_verifies_under_sigstore_js(SignatureAlgorithm algorithm)
    {
        var key = TestKeys.Of(algorithm);
        var json = await Dsse(key);

        var result = await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(key));

        AssertNodeAccepts(result);
        Assert.Contains(key.KeyId, result.StdOut, StringComparison.Ordinal); // node computed the same key id as our hint
        Assert.Equal(key.KeyId, BundleVerifier.Verify(json, Trust(key), ManifestDigest, Manifest).KeyId);
    }

    [Fact]
    public async Task Ecdsa_message_signature_bundle_verifies_under_sigstore_js()
    {
        var json = await Message(TestKeys.EcdsaA);
        var result = await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.EcdsaA), ArtifactFile(Manifest));
        AssertNodeAccepts(result);
        Assert.Equal(BundleContent.MessageSignature, BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest).Content);
    }

    [Fact]
    public async Task Ed25519_message_signatures_are_not_supported_by_sigstore_js_3()
    {
        // @sigstore/verify 3.x passes 'sha256' to crypto.verify for message signatures, which Node refuses
        // for Ed25519 keys (pure EdDSA has no digest parameter). Documented in docs/signing.md: use DSSE with Ed25519.
        var json = await Message(TestKeys.Ed25519A);
        var result = await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.Ed25519A), ArtifactFile(Manifest));
        AssertNodeRejects(result, "SIGNATURE_ERROR");
        Assert.Equal(TestKeys.Ed25519A.KeyId, BundleVerifier.Verify(json, Trust(TestKeys.Ed25519A), ManifestDigest, Manifest).KeyId);
    }

    [Fact]
    public async Task Tampered_payload_fails_in_both()
    {
        var json = BundleTampering.EditDssePayload(await Dsse(TestKeys.EcdsaA), p => p.Replace("demo/app", "demo/evil", StringComparison.Ordinal));
        AssertNodeRejects(await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.EcdsaA)), "SIGNATURE_ERROR");
        Assert.Throws<BadSignatureException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
    }

    [Fact]
    public async Task Swapped_subject_fails_in_both()
    {
        var other = BundleTampering.RandomDigest();
        var json = BundleTampering.SwapSubject(await Dsse(TestKeys.EcdsaA), ManifestDigest, other);
        AssertNodeRejects(await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.EcdsaA)), "SIGNATURE_ERROR");
        Assert.Throws<BadSignatureException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), other, Manifest));
    }

    [Fact]
    public async Task Tampered_message_signature_fails_in_both()
    {
        var json = BundleTampering.FlipSignatureBit(await Message(TestKeys.EcdsaA));
        AssertNodeRejects(await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.EcdsaA), ArtifactFile(Manifest)), "SIGNATURE_ERROR");
        Assert.Throws<BadSignatureException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
    }

    [Fact]
    public async Task Message_signature_of_another_artifact_fails_in_both()
    {
        var json = await Message(TestKeys.EcdsaA);
        var other = "a different manifest"u8.ToArray();
        AssertNodeRejects(await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.EcdsaA), ArtifactFile(other)), "SIGNATURE_ERROR");
        Assert.Throws<DigestMismatchException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), Digest.Compute(other), other));
    }

    [Theory]
    [InlineData(false, "PUBLIC_KEY_ERROR")] // key map keyed by key id: the hint names no trusted key
    [InlineData(true, "SIGNATURE_ERROR")]   // hint ignored, the one trusted key is tried and fails
    public async Task Wrong_key_fails_in_both(bool ignoreHint, string nodeCode)
    {
        var json = await Dsse(TestKeys.EcdsaB);
        AssertNodeRejects(await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.EcdsaA), ignoreHint: ignoreHint), nodeCode);
        Assert.Throws<UntrustedKeyException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
    }

    [Fact]
    public async Task Wrong_message_digest_passes_sigstore_js_without_tlog_but_not_us()
    {
        // The reason our verifier compares messageDigest itself: sigstore-js only does so via a tlog entry.
        var json = BundleTampering.SetMessageDigest(await Message(TestKeys.EcdsaA), SHA256.HashData("not the artifact"u8));
        AssertNodeAccepts(await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.EcdsaA), ArtifactFile(Manifest)));
        Assert.Throws<DigestMismatchException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
    }

    [Fact]
    public async Task Statement_about_another_manifest_passes_sigstore_js_but_not_us()
    {
        // @sigstore/verify checks the DSSE signature only; binding the statement subject to the manifest is ours to do.
        var json = await Dsse(TestKeys.EcdsaA, subject: BundleTampering.RandomDigest());
        AssertNodeAccepts(await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.EcdsaA)));
        Assert.Throws<SubjectMismatchException>(() => BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest));
    }

    [Fact]
    public async Task Legacy_media_type_spelling_verifies_in_both()
    {
        var json = BundleTampering.SetMediaType(await Dsse(TestKeys.EcdsaA), "application/vnd.dev.sigstore.bundle+json;version=0.3");
        AssertNodeAccepts(await NodePeer.VerifyAsync(BundleFile(json), PublicKeyFile(TestKeys.EcdsaA)));
        Assert.Equal(TestKeys.EcdsaA.KeyId, BundleVerifier.Verify(json, Trust(TestKeys.EcdsaA), ManifestDigest, Manifest).KeyId);
    }
}
