using System.Text.Json;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Tests.Infrastructure;
using AtymSecure.Signer.Verification;
using AtymSecure.Signer.Wire;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;

namespace AtymSecure.Signer.Tests.Interop;

/// <summary>
/// Our registry as a real process-reachable server on 127.0.0.1: we sign into it over HTTP,
/// @sigstore/oci (npm) attaches bundles to it, and our verifier finds them through the referrers API.
/// </summary>
[Trait("Requires", "node")]
public sealed class RegistryInteropTests(LoopbackRegistry registry) : IClassFixture<LoopbackRegistry>, IDisposable
{
    private readonly TempFolder _dir = TempFolder.Create("signer");

    public void Dispose() => _dir.Dispose();

    private static string NewRepositoryName() => "interop/app-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Signed_and_attested_over_http_verifies_and_the_stored_bundle_passes_sigstore_js()
    {
        var name = NewRepositoryName();
        var repository = registry.Repository(name);
        var image = await TestImage.PushAsync(repository, "v1");

        var signed = await ArtifactSigner.SignAsync(repository, image, TestKeys.EcdsaA, name, new SignOptions { LegacyCosign = true });
        await ArtifactSigner.AttestSbomAsync(repository, image, TestKeys.EcdsaA, name);

        var report = await ArtifactVerifier.VerifyAsync(repository, "v1", TrustedKeys.Of(TestKeys.EcdsaA.PublicKey));
        report.ThrowIfNotVerified();
        Assert.Equal(3, report.Results.Count); // sign bundle, SBOM bundle, legacy .sig
        Assert.All(report.Results, r => Assert.True(r.IsVerified, r.ToString()));
        Assert.Equal(Oci.Remote.ReferrersSupport.Supported, repository.ReferrersSupport);

        // The bytes a third party would download from the registry verify under @sigstore/verify.
        var stored = await repository.FetchAllAsync(signed.BundleBlob, SigstoreBundle.MaxBytes);
        var result = await NodePeer.VerifyAsync(_dir.Write("stored.sigstore.json", stored), _dir.Write("a.pub", TestKeys.EcdsaA.PublicKeyPem()));
        Assert.True(result.ExitCode == NodePeer.Verified, result.ToString());
    }

    [Fact]
    public async Task Bundle_attached_by_sigstore_oci_is_found_and_verified()
    {
        var name = NewRepositoryName();
        var repository = registry.Repository(name);
        var image = await TestImage.PushAsync(repository, "v1");
        var bundle = await BundleFactory.CreateDsseAsync(TestKeys.EcdsaA, Statements.ForSignature(image.Digest, name));
        var bundlePath = _dir.Write("bundle.sigstore.json", bundle.ToJson());

        var attach = await NodePeer.RunAsync("attach-bundle.js", "--image", $"{registry.Host}/{name}", "--digest", image.Digest.ToString(),
            "--file", bundlePath, "--annotation", $"{BundleMediaTypes.ContentAnnotation}=dsse-envelope");
        Assert.True(attach.ExitCode == 0, $"@sigstore/oci could not attach to our registry: {attach}");
        var pushed = JsonSerializer.Deserialize<JsonElement>(attach.StdOut);

        var report = await ArtifactVerifier.VerifyAsync(repository, "v1", TrustedKeys.Of(TestKeys.EcdsaA.PublicKey));
        report.ThrowIfNotVerified();
        var result = Assert.Single(report.Results);
        Assert.Contains(pushed.GetProperty("digest").GetString()!, result.Location, StringComparison.Ordinal);
        Assert.Equal(Statements.CosignSignPredicateType, result.Verified!.PredicateType);
    }

    [Fact]
    public async Task Bundle_for_another_image_attached_by_sigstore_oci_is_a_subject_mismatch()
    {
        var name = NewRepositoryName();
        var repository = registry.Repository(name);
        var image = await TestImage.PushAsync(repository, "v1");
        var bundle = await BundleFactory.CreateDsseAsync(TestKeys.EcdsaA, Statements.ForSignature(BundleTampering.RandomDigest(), name));

        var attach = await NodePeer.RunAsync("attach-bundle.js", "--image", $"{registry.Host}/{name}", "--digest", image.Digest.ToString(),
            "--file", _dir.Write("other.sigstore.json", bundle.ToJson()));
        Assert.True(attach.ExitCode == 0, attach.ToString());

        var report = await ArtifactVerifier.VerifyAsync(repository, "v1", TrustedKeys.Of(TestKeys.EcdsaA.PublicKey));
        Assert.Equal(VerificationFailure.SubjectMismatch, Assert.Single(report.Results).Failure);
        Assert.Throws<SubjectMismatchException>(report.ThrowIfNotVerified);
    }

    [Fact]
    public async Task Unknown_reference_is_a_not_found_error_not_a_verification_result()
    {
        var repository = registry.Repository(NewRepositoryName());
        await Assert.ThrowsAsync<Oci.NotFoundException>(() =>
            ArtifactVerifier.VerifyAsync(repository, "missing", TrustedKeys.Of(TestKeys.EcdsaA.PublicKey)));
    }
}
