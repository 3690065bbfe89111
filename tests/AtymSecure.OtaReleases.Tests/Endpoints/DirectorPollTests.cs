using System.Net;
using System.Text;
using System.Text.Json;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.Crypto;
using AtymSecure.Signer.Keys;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;

namespace AtymSecure.OtaReleases.Tests.Endpoints;

/// <summary>
/// The wiring of issue 12 in the real host: a release imported and assigned to a device appears in that device's poll
/// answer as a director target (signed by the director's online key, echoing the device's nonce), and the bundle it
/// names is served at the public URL with exactly the sha256 and length the director signed.
/// </summary>
public sealed class DirectorPollTests(ReleaseWorld world) : IClassFixture<ReleaseWorld>
{
    private const string DeviceId = "atym-00000000000000b1";

    private static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> JsonOf(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    [Fact]
    public async Task An_assigned_release_is_a_signed_director_target_whose_bundle_the_public_url_serves()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        host.BootstrapTuf();
        var images = host.Service<ImageRepository>();
        var releaseId = await host.ImportAsync(world.SensorFilter("1.0.0"));
        Assert.True(host.Service<IDeviceStore>().TryAdd(new DeviceRecord(DeviceId, "AAAA", "fp-" + DeviceId, "linux-x86_64", "host",
            [new DevicePartition("sensor-filter", 1 << 20)], "1.0.0", DeviceState.Active, 0, [], EquatableMap<string>.Empty,
            DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, 0)));
        using (var assigned = await host.Client.PostAsync("/api/v1/assignments", Body($"{{\"releaseId\":\"{releaseId}\",\"deviceId\":\"{DeviceId}\"}}")))
            Assert.Equal(HttpStatusCode.OK, assigned.StatusCode);
        var nonce = ProtocolJson.Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        // What the report endpoint stores once the device's signature verified (tested in the service's own tests).
        var report = new VersionReport(DeviceId, nonce, 1_764_547_200, "development", "0.1.0", [], 1, null);
        var stored = host.Service<IDeviceReportStore>().TryAppend(new DeviceReport(DeviceId, 0, nonce, DateTimeOffset.UtcNow,
            ProtocolJson.Base64Url(report.ToJson()), ProtocolJson.Base64Url([1])))!;
        host.Service<ReportSummaries>().Remember(stored);

        var (body, _) = await host.Service<PollAnswers>().ForAsync(DeviceId, new DeviceSnapshot(DeviceState.Active, 0, "linux-x86_64", []));
        var answer = PollAnswer.Parse(body);
        var targets = SignedMetadata<TargetsMetadata>.Parse(answer.DirectorTargets!);
        var (path, target) = Assert.Single(targets.Signed.Targets);
        var custom = DirectorTargetCustom.FromJson(target.Custom!, "$");
        Assert.Equal(("sensor-filter", "1.0.0", "linux-x86_64", 1L), (custom.Release.Container, custom.Release.Version, custom.Release.DeviceClass, custom.Release.SecurityCounter));
        Assert.Equal(TargetPaths.Bundle("sensor-filter", target.Sha256), path);
        var release = await JsonOf(await host.Client.GetAsync($"/api/v1/releases/{releaseId}"));
        Assert.Equal(release.GetProperty("images")[0].GetProperty("imageDigest").GetString(), "sha256:" + custom.Image.Sha256);

        // The URL the device agent derives from the target (OtaClient: /bundles/sha256/HEX) serves the signed bytes.
        using var bundle = await host.Client.GetAsync("/bundles/sha256/" + target.Sha256);
        Assert.Equal(HttpStatusCode.OK, bundle.StatusCode);
        var bytes = await bundle.Content.ReadAsByteArrayAsync();
        Assert.Equal((target.Length, target.Sha256), ((long)bytes.Length, Digest.Compute(bytes).Encoded));

        // The import listed the image in compiler-linux-x86_64 (steps 8–9), and the bundle is signed by the online
        // compiler key that delegation names (the host's key store, not a key file).
        var listed = images.Published.Delegated[TargetPaths.CompilerRole("linux-x86_64")].Signed.Targets[TargetPaths.Image(custom.Release, custom.Image.Sha256)];
        Assert.Equal((custom.Image.Length, custom.Image.Sha256), (listed.Length, listed.Sha256));
        var compilerKey = (ISigningKey)images.For("linux-x86_64");
        using var stream = new MemoryStream(bytes);
        var envelope = await BundleEnvelope.ReadAsync(stream);
        var verified = BundleVerifier.Verify(envelope, BundleTrustAnchors.Of(TrustedBundleKey.Compiler(VerificationKey.FromDer(compilerKey.PublicKeySpki.Span))),
            new BundleExpectations("linux-x86_64", DateTimeOffset.UtcNow, 0, 64 << 20, null));
        Assert.Equal(custom.Release.SecurityCounter, (long)verified.Header.SecurityCounter);
    }

    [Fact]
    public async Task Without_an_assignment_the_director_targets_list_nothing()
    {
        await using var host = await ReleaseHost.StartAsync(world);
        var targetsKey = host.Service<FileOnlineKeyStore>().EnsureKey(OnlineRole.DirectorTargets)[^1];
        var rootKey = Ed25519MetadataSigner.Generate();
        host.Service<UptaneDirector>().AcceptRoot(MetadataSigning.Sign(RootPlan.Build(1, DateTimeOffset.UtcNow.AddDays(365), new Dictionary<string, RoleAssignment>
        {
            ["root"] = new([rootKey.PublicKey], 1),
            ["targets"] = new([targetsKey.PublicKey], 1),
        }, consistentSnapshot: false), rootKey).ToBytes());
        var nonce = ProtocolJson.Base64Url(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var report = new VersionReport(DeviceId, nonce, 1_764_547_200, "development", "0.1.0", [], 1, null);
        host.Service<ReportSummaries>().Remember(host.Service<IDeviceReportStore>().TryAppend(new DeviceReport(DeviceId, 0, nonce, DateTimeOffset.UtcNow,
            ProtocolJson.Base64Url(report.ToJson()), ProtocolJson.Base64Url([1])))!);

        var (body, _) = await host.Service<PollAnswers>().ForAsync(DeviceId, new DeviceSnapshot(DeviceState.Active, 0, "linux-x86_64", []));
        Assert.Empty(SignedMetadata<TargetsMetadata>.Parse(PollAnswer.Parse(body).DirectorTargets!).Signed.Targets);
    }
}
