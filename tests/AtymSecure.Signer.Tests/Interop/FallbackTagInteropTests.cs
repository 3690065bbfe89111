using AtymSecure.Oci.Remote;
using AtymSecure.Signer.Attach;
using AtymSecure.Signer.Bundles;
using AtymSecure.Signer.Tests.Infrastructure;
using AtymSecure.Signer.Verification;
using AtymSecure.TestSupport;

namespace AtymSecure.Signer.Tests.Interop;

/// <summary>
/// A registry without the referrers API (Debian docker-registry): signatures live in the
/// <c>sha256-&lt;hex&gt;</c> fallback tag index, written by our client or by @sigstore/oci.
/// </summary>
[Trait("Requires", "node")]
[Trait("Requires", "distribution")]
public sealed class FallbackTagInteropTests(DistributionRegistryProcess registry) : IClassFixture<DistributionRegistryProcess>, IDisposable
{
    private readonly TempFolder _dir = TempFolder.Create("signer");

    public void Dispose() => _dir.Dispose();

    private static string NewRepositoryName() => "fallback/app-" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task Our_signature_goes_into_the_fallback_tag_and_verifies_from_there()
    {
        var name = NewRepositoryName();
        var repository = registry.Repository(name);
        var image = await TestImage.PushAsync(repository, "v1");

        await ArtifactSigner.SignAsync(repository, image, TestKeys.EcdsaA, name);

        Assert.Equal(ReferrersSupport.Unsupported, repository.ReferrersSupport);
        var fallback = await repository.ResolveAsync($"sha256-{image.Digest.Encoded}");
        Assert.Equal(Oci.Wire.MediaTypes.ImageIndex, fallback.MediaType);

        var fresh = registry.Repository(name); // a new client discovers the missing API on its own
        var report = await ArtifactVerifier.VerifyAsync(fresh, "v1", TrustedKeys.Of(TestKeys.EcdsaA.PublicKey));
        report.ThrowIfNotVerified();
        Assert.Equal(SignatureSource.Referrer, Assert.Single(report.Results).Source);
    }

    [Fact]
    public async Task Bundle_attached_by_sigstore_oci_through_the_fallback_tag_verifies()
    {
        var name = NewRepositoryName();
        var repository = registry.Repository(name);
        var image = await TestImage.PushAsync(repository, "v1");
        var bundle = await BundleFactory.CreateMessageSignatureAsync(TestKeys.EcdsaA, await Oci.Content.ContentExtensions.FetchAllAsync(repository, image));

        var attach = await NodePeer.RunAsync("attach-bundle.js", "--image", $"{registry.Host}/{name}", "--digest", image.Digest.ToString(),
            "--file", _dir.Write("b.sigstore.json", bundle.ToJson()));
        Assert.True(attach.ExitCode == 0, $"@sigstore/oci could not attach: {attach}");

        var report = await ArtifactVerifier.VerifyAsync(registry.Repository(name), "v1", TrustedKeys.Of(TestKeys.EcdsaA.PublicKey));
        report.ThrowIfNotVerified();
        Assert.Equal(BundleContent.MessageSignature, Assert.Single(report.Results).Verified!.Content);
    }

    [Fact]
    public async Task Wrong_key_through_the_fallback_tag_is_untrusted()
    {
        var name = NewRepositoryName();
        var repository = registry.Repository(name);
        var image = await TestImage.PushAsync(repository, "v1");
        await ArtifactSigner.SignAsync(repository, image, TestKeys.EcdsaB, name, new SignOptions { LegacyCosign = true });

        var report = await ArtifactVerifier.VerifyAsync(registry.Repository(name), "v1", TrustedKeys.Of(TestKeys.EcdsaA.PublicKey));
        Assert.Equal(2, report.Results.Count);
        Assert.All(report.Results, r => Assert.Equal(VerificationFailure.UntrustedKey, r.Failure));
        Assert.Throws<UntrustedKeyException>(report.ThrowIfNotVerified);
    }
}
