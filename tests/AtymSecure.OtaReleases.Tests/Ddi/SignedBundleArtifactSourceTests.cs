using System.Net;
using System.Security.Cryptography;
using System.Text;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaReleases.Tests.Endpoints;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaServer.Ddi;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Tests.Ddi;

/// <summary>
/// The DDI server's default artifact source (<see cref="SignedBundleArtifactSource"/>) over a real imported release and
/// the real bundle cutter in the real host: a DDI device of class linux-x86_64 assigned sensor-filter 1.0.0 gets exactly
/// the signed bundle an atym device of that class is cut (same SHA-256, same bytes as <c>/bundles/sha256/HEX</c>), with
/// length, SHA-1 and MD5 computed over those bytes; a release the device is not offered gives no artifact.
/// (The DDI endpoints' deploymentBase, Range and .MD5SUM over a served file are OtaServer.Tests' DdiRolloutTests.)
/// </summary>
public sealed class SignedBundleArtifactSourceTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>
{
    private const string DeviceId = "gw-bundle-1";

    [Fact]
    public async Task A_ddi_device_gets_the_real_cut_bundle_of_its_class_with_its_length_and_hashes()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        var releaseId = await host.ImportAsync(world.SensorFilter("1.0.0"));
        var device = new DeviceRecord(DeviceId, "", DdiTargetRegistry.Fingerprint, "linux-x86_64", "ddi", EquatableList<DevicePartition>.Empty, "0.0.0",
            DeviceState.Active, 0, [], new EquatableMap<string>([new("protocol", "ddi")]), DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0);
        Assert.True(host.Service<IDeviceStore>().TryAdd(device));
        using (var assigned = await host.Client.PostAsync("/api/v1/assignments",
            new StringContent($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"{DeviceId}\"}}", Encoding.UTF8, "application/json")))
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);

        var source = new SignedBundleArtifactSource(host.Service<DesiredStateResolver>(), host.Service<IBundleStore>());
        var file = await source.FindAsync(new DdiArtifactRequest(device, "sensor-filter", releaseId, "1.0.0", "dep-1"));
        Assert.NotNull(file);
        Assert.Equal("sensor-filter-1.0.0.bundle", file.FileName);

        // The bundle an atym device of the same class is cut for this release.
        var atym = await host.Service<DesiredStateResolver>().ResolveAsync(new AtymSecure.OtaReleases.Planning.DeviceView(DeviceId, "linux-x86_64", EquatableMap<string>.Empty));
        var container = Assert.Single(atym.Containers);
        Assert.Equal(container.Bundle.Sha256, file.Sha256);

        using var served = await host.Client.GetAsync("/bundles/sha256/" + file.Sha256);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        var bytes = await served.Content.ReadAsByteArrayAsync();
        // The artifact's bytes come from the bundle store, not a file path.
        Assert.Null(file.Path);
        await using (var stored = await file.Open!(CancellationToken.None))
        {
            using var copy = new MemoryStream();
            await stored!.CopyToAsync(copy);
            Assert.Equal(bytes, copy.ToArray());
        }
#pragma warning disable CA5350, CA5351 // the hashes DDI lists
        Assert.Equal((bytes.LongLength, Digest.Compute(bytes).Encoded, Convert.ToHexStringLower(SHA1.HashData(bytes)), Convert.ToHexStringLower(MD5.HashData(bytes))),
            (file.Length, file.Sha256, file.Sha1, file.Md5));
#pragma warning restore CA5350, CA5351

        // Asked again (the hashes are remembered): the same file.
        Assert.Equal(file, await source.FindAsync(new DdiArtifactRequest(device, "sensor-filter", releaseId, "1.0.0", "dep-1")));
        // A release it is not offered, or another container: nothing to download.
        Assert.Null(await source.FindAsync(new DdiArtifactRequest(device, "sensor-filter", "rel-0000000000000000", "9.9.9", "dep-1")));
        Assert.Null(await source.FindAsync(new DdiArtifactRequest(device, "other-container", releaseId, "1.0.0", "dep-1")));
    }
}
