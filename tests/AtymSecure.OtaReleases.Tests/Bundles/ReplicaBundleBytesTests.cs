using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Formats.Delta;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaReleases.Tests.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Bundles;

/// <summary>
/// Issue 12 §4 "any replica cuts the same bytes", with the keys a real host uses: two OTA hosts, each on its own data
/// folder, the second holding a copy of the first one's online key files (what an operator deploys to every replica).
/// The release is the one record both would read from the shared store. Each host cuts through its own cache, cutter
/// and key store; the bundles must be identical byte for byte — header, payload and the compiler's ECDSA signature,
/// which is deterministic (RFC 6979) — and a device trusting the compiler key installs them.
/// </summary>
public sealed class ReplicaBundleBytesTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>
{
    private const string Class = "linux-x86_64";

    private static BundleCutRequest Request(Release target, Release? baseRelease)
    {
        var image = target.ImageFor(Class)!;
        return new BundleCutRequest(new BundleCutKey(baseRelease?.ImageFor(Class)!.ImageDigest, target.Id, image.ImageDigest, Class, image.Grants), target, baseRelease);
    }

    private static async Task<byte[]> CutAsync(ReleaseHost host, BundleCutRequest request)
    {
        var location = await host.Service<BundleCutCache>().GetOrCutAsync(request);
        return await File.ReadAllBytesAsync(((BundleFileStore)host.Service<IBundleStore>()).Find(location.Sha256)!.FullName);
    }

    [Fact]
    public async Task Two_hosts_with_their_own_data_folders_and_the_same_key_files_cut_byte_identical_full_and_delta_bundles_that_install()
    {
        await using var first = await ReleaseHost.StartAsync(world);
        var keys = first.Service<FileOnlineKeyStore>();
        var compilerKey = keys.EnsureKey(OnlineRole.Compiler)[^1];
        var v100 = (await first.Service<IReleaseStore>().GetAsync(await first.ImportAsync(world.SensorFilter("1.0.0"))))!;
        var v110 = (await first.Service<IReleaseStore>().GetAsync(await first.ImportAsync(world.SensorFilter("1.1.0"))))!;

        var secondData = TempFolder.Create("ota-replica-2");
        var secondKeys = Directory.CreateDirectory(Path.Combine(secondData.Path, "tuf", "keys")).FullName;
        foreach (var file in Directory.EnumerateFiles(keys.Folder))
        {
            var copy = Path.Combine(secondKeys, Path.GetFileName(file));
            File.Copy(file, copy);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        await using var second = await ReleaseHost.StartAsync(world, secondData, null);
        Assert.NotEqual(first.DataFolder.Path, second.DataFolder.Path);
        Assert.Equal(compilerKey.PublicKey, second.Service<FileOnlineKeyStore>().Keys(OnlineRole.Compiler)[^1].PublicKey);

        var full = await CutAsync(first, Request(v100, null));
        Assert.Equal(full, await CutAsync(second, Request(v100, null)));
        var delta = await CutAsync(first, Request(v110, v100));
        Assert.Equal(delta, await CutAsync(second, Request(v110, v100)));

        var anchors = BundleTrustAnchors.Of(TrustedBundleKey.Compiler(VerificationKey.FromDer(compilerKey.PublicKeySpki.Span)));
        var baseImage = await InstallAsync(full, anchors, null);
        Assert.Equal(v100.ImageFor(Class)!.ImageDigest, Digest.Compute(baseImage).ToString());
        var image = await InstallAsync(delta, anchors, baseImage);
        Assert.Equal(v110.ImageFor(Class)!.ImageDigest, Digest.Compute(image).ToString());
    }

    private static async Task<byte[]> InstallAsync(byte[] bundle, BundleTrustAnchors anchors, byte[]? installed) =>
        (await BundleInstall.InstallAsync(bundle, anchors, Class, installed)).Image;
}
