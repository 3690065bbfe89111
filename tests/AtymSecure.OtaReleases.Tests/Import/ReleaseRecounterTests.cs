using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaReleases.Tests.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.Signer.Keys;

namespace AtymSecure.OtaReleases.Tests.Import;

/// <summary>
/// An operator rollback's re-release (docs/trust-model.md §7) in the real host: sensor-filter 1.0.0 (counter 1) and the
/// security release 1.1.0 (counter 2) imported from the loopback registry; 1.0.0's code released again at the floor 2
/// is listed in the image repository under the new counter, and a device on 1.1.0 gets it as a delta bundle signed by the
/// compiler key, with counter 2, that turns its 1.1.0 image into exactly 1.0.0's.
/// </summary>
public sealed class ReleaseRecounterTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>
{
    private const string Class = "linux-x86_64";

    [Fact]
    public async Task The_previous_code_at_the_floor_is_a_new_listed_release_delivered_as_a_signed_delta_from_the_bad_version()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        host.BootstrapTuf();
        var importer = host.Service<ReleaseImporter>();
        var v100 = await importer.ImportAsync(new ReleaseRequest(world.SensorFilter("1.0.0")));
        var v110 = await importer.ImportAsync(new ReleaseRequest(world.SensorFilter("1.1.0"), Security: true));
        Assert.Equal((1ul, 2ul), (v100.SecurityCounter, v110.SecurityCounter));

        var recounter = host.Service<ReleaseRecounter>();
        var again = await recounter.RereleaseAsync(v100, v110.SecurityCounter);
        Assert.Equal(Release.IdFor(v100.ManifestDigest, 2), again.Id);
        Assert.NotEqual(v100.Id, again.Id);
        Assert.Equal((v100.Container, v100.Version, v100.ManifestDigest, v100.SourceWasmDigest, v100.Images, 2ul, false),
            (again.Container, again.Version, again.ManifestDigest, again.SourceWasmDigest, again.Images, again.SecurityCounter, again.Security));
        Assert.Equal(v100.BundleExpires - v100.ImportedAt, again.BundleExpires - again.ImportedAt);
        Assert.Equal(again, await recounter.RereleaseAsync(v100, 2)); // the same rollback twice is one release
        Assert.Equal(3, (await host.Service<IReleaseStore>().ListAsync("sensor-filter")).Count);
        Assert.Same(v100, await recounter.RereleaseAsync(v100, 1));
        var below = await Assert.ThrowsAsync<ProblemException>(() => recounter.RereleaseAsync(v110, 1));
        Assert.Equal(ReleaseProblemCodes.CounterBelowPredecessor, below.Problems.Single().Code);

        // Listed in compiler-CLASS under the new counter, beside the original listing at counter 1 (step 8–9).
        var image = again.ImageFor(Class)!;
        var listed = host.Service<ImageRepository>().Published.Delegated[TargetPaths.CompilerRole(Class)].Signed.Targets;
        Assert.Contains(TargetPaths.Image(ReleaseIdentities.Of(v100, image), image.ImageSha256), listed.Keys);
        var target = listed[TargetPaths.Image(ReleaseIdentities.Of(again, image), image.ImageSha256)];
        Assert.Equal((checked((long)image.ImageLength), image.ImageSha256), (target.Length, target.Sha256));

        // A device confirmed on 1.1.0: the plan is a delta from 1.1.0's image to the re-release, cut and signed like any release.
        var device = new DeviceView("atym-00000000000000c1", Class, new EquatableMap<string>([KeyValuePair.Create("sensor-filter", v110.ImageFor(Class)!.ImageDigest)]));
        var known = await host.Service<IReleaseStore>().ListAsync("sensor-filter");
        var planned = Assert.Single(DesiredStatePlanner.Plan(device, [again], known).Containers);
        Assert.Equal((v110.Id, again.Id), (planned.Cut.Base?.Id, planned.Cut.Target.Id));
        var cuts = host.Service<BundleCutCache>();
        var delta = await cuts.GetOrCutAsync(planned.Cut);
        Assert.True(delta.IsDelta);
        var original = await cuts.GetOrCutAsync(Assert.Single(DesiredStatePlanner.Plan(device, [v100], known).Containers).Cut);
        Assert.NotEqual(original.Sha256, delta.Sha256); // same images, another counter: not the original release's bundle

        var compilerKey = (ISigningKey)host.Service<ImageRepository>().For(Class);
        var anchors = BundleTrustAnchors.Of(TrustedBundleKey.Compiler(VerificationKey.FromDer(compilerKey.PublicKeySpki.Span)));
        var full110 = await cuts.GetOrCutAsync(Assert.Single(DesiredStatePlanner.Plan(device with { ConfirmedImages = EquatableMap<string>.Empty }, [v110], known).Containers).Cut);
        var (_, installed110) = await BundleInstall.InstallAsync(Bytes(cuts, full110), anchors, Class, null);
        var (header, rolledBack) = await BundleInstall.InstallAsync(Bytes(cuts, delta), anchors, Class, installed110);
        Assert.Equal((2ul, PayloadKind.Delta), (header.SecurityCounter, header.PayloadKind));
        Assert.Equal(v100.ImageFor(Class)!.ImageDigest, Digest.Compute(rolledBack).ToString());
    }

    private static byte[] Bytes(BundleCutCache cuts, BundleLocation location) => File.ReadAllBytes(((BundleFileStore)cuts.Files).Find(location.Sha256)!.FullName);
}
