using System.Security.Cryptography;
using AtymSecure.Bench.Http;
using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.Bench.RolloutHalt;

/// <summary>An enrolled device the bench reports for: id, its identity key (reports are signed with it) and a session token.</summary>
internal sealed record HaltDevice(string Id, ECDsa Key, string SessionToken);

/// <summary>What the seed left in the data folder: the admin token, the devices, and the bad releases (one per round).</summary>
internal sealed record HaltFleet(string AdminToken, IReadOnlyList<HaltDevice> Devices, IReadOnlyList<Release> BadReleases);

/// <summary>
/// Fills a fresh data folder through the server's own stores before the server starts (as the ota-poll bench's seed
/// does): the first admin token, <c>devices</c> active devices in groups <c>eu</c>/<c>us</c> each with a signed report
/// confirming sensor-filter 1.0.0, release records 1.0.0 and one bad 2.0.N per round (nothing is imported or cut:
/// no director root is uploaded, so polls sign nothing and no bundle is asked for), and session tokens MAC'd with the
/// folder's session key.
/// </summary>
internal static class HaltSeed
{
    public static HaltFleet Seed(string dataDirectory, int devices, int rounds)
    {
        var app = OtaServerHost.Build(OtaBenchServer.Options(dataDirectory, 1));
        try
        {
            var services = app.Services;
            var admin = services.GetRequiredService<AdminTokenBootstrap>().CreatedText ?? throw new InvalidOperationException($"{dataDirectory} is not a fresh data folder");
            var releases = services.GetRequiredService<IReleaseStore>();
            var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            Release Make(string version) => new(Release.IdFor("sha256:" + Hex(version)), "sensor-filter", version, "127.0.0.1:9/samples/sensor-filter",
                "sha256:" + Hex(version), "sha256:" + Hex("wasm " + version), 1, false, now, now.AddDays(180),
                [new ReleaseImage("linux-x86_64", "sha256:" + Hex("image " + version), 4096, ArtifactKind.WasmtimeNative, [], "sha256:" + Hex("out " + version), "sha256:" + Hex("ref " + version))], []);
            releases.AddOrGetAsync(Make("1.0.0")).GetAwaiter().GetResult();
            var bad = Enumerable.Range(1, rounds).Select(r => releases.AddOrGetAsync(Make($"2.0.{r}")).GetAwaiter().GetResult()).ToList();

            var store = services.GetRequiredService<IDeviceStore>();
            var reports = services.GetRequiredService<IDeviceReportStore>();
            var tokens = services.GetRequiredService<DeviceSessionTokens>();
            var expires = (DateTimeOffset.UtcNow + services.GetRequiredService<OtaServerOptions>().SessionLifetime).ToUnixTimeSeconds();
            var fleet = new List<HaltDevice>();
            for (var i = 0; i < devices; i++)
            {
                var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var spki = key.ExportSubjectPublicKeyInfo();
                var identity = DeviceKey.Parse(spki);
                var record = new DeviceRecord(identity.DerivedDeviceId, ProtocolJson.Base64Url(spki), identity.Fingerprint, "linux-x86_64", "host",
                    [new DevicePartition("sensor-filter", 1 << 20)], "0.1.0", DeviceState.Active, 0, [i % 2 == 0 ? "eu" : "us"], EquatableMap<string>.Empty, now, now, 0);
                if (!store.TryAdd(record)) throw new InvalidOperationException($"device {record.Id} seeded twice");
                var device = new HaltDevice(record.Id, key, tokens.Issue(new DeviceSession(record.Id, identity.Fingerprint, expires, 0)));
                var signed = Sign(device, Report(device.Id, null));
                reports.TryAppend(new DeviceReport(device.Id, 0, ReportNonce(signed), now, ProtocolJson.Base64Url(signed.Payload), ProtocolJson.Base64Url(signed.Signature)));
                fleet.Add(device);
            }
            return new HaltFleet(admin, fleet, bad);
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }
    }

    /// <summary>The device's version report: sensor-filter 1.0.0 confirmed, and when <paramref name="reverted"/> is given, a failed trial of it.</summary>
    public static VersionReport Report(string deviceId, string? reverted) => new(deviceId, ProtocolJson.Base64Url(RandomNumberGenerator.GetBytes(24)),
        DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "development", "0.1.0",
        [new ContainerReport("sensor-filter", new SlotReport("a", "1.0.0", "sha256:" + Hex("image 1.0.0"), 1), null, 3,
            reverted is null ? null : new InstallReport("installed", null, null),
            reverted is null ? null : new TrialReport(TrialReport.Failed, reverted, "health probe failed: sensor stuck at 0"))], 1, null);

    public static SignedVersionReport Sign(HaltDevice device, VersionReport report) =>
        SignedVersionReport.Create(report, data => device.Key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));

    private static string ReportNonce(SignedVersionReport signed) => VersionReport.Parse(signed.Payload).Nonce;

    private static string Hex(string seed) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(seed)));
}
