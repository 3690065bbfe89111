using System.Diagnostics;
using System.Security.Cryptography;
using AtymSecure.Bench.Http;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.UpdateMetadata.Signing;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Offline;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.Bench.OtaPoll;

/// <summary>A seeded device: its id and a session token the server's own key MAC'd.</summary>
internal sealed record SeededDevice(string Id, string SessionToken);

/// <summary>
/// Fills a data folder with an enrolled fleet through the server's own store interfaces (enrolling 100k devices over
/// HTTP is not what the bench measures): per device a P-256 identity key, an active <see cref="DeviceRecord"/>, one
/// version report signed with that key (so the director has a nonce to echo and the poll answer carries signed
/// director targets), and a session token issued by <see cref="DeviceSessionTokens"/> under the folder's session
/// key — the token the server checks on every poll. Also uploads a director root (signed here, as the operator's
/// offline <c>atym tuf</c> would) listing the server's online director-targets key. The server is not running yet:
/// this process holds the database while it seeds. A folder seeded before (<c>bench-fleet.txt</c> lists its
/// devices) is reused: only fresh session tokens are issued.
/// </summary>
internal static class FleetSeed
{
    private const string Manifest = "bench-fleet.txt";

    public static IReadOnlyList<SeededDevice> SeedOrReuse(string dataDirectory, int count, Action<string> progress, string? store = null)
    {
        var manifest = Path.Combine(dataDirectory, Manifest);
        var app = OtaServerHost.Build(OtaBenchServer.Options(dataDirectory, 1, store));
        try
        {
            var services = app.Services;
            List<(string Id, string Fingerprint)> fleet;
            if (File.Exists(manifest))
            {
                fleet = [.. File.ReadLines(manifest).Select(l => l.Split(' ')).Select(f => (f[0], f[1]))];
                if (fleet.Count != count) throw new InvalidOperationException($"{dataDirectory} holds a fleet of {fleet.Count}, not {count}: use another --data folder");
                progress($"reusing the {count} devices seeded in {dataDirectory}");
            }
            else
            {
                UploadDirectorRoot(services);
                fleet = Write(services, Prepare(count, progress), progress);
                File.WriteAllLines(manifest, fleet.Select(d => $"{d.Id} {d.Fingerprint}"));
            }
            var tokens = services.GetRequiredService<DeviceSessionTokens>();
            var expires = (DateTimeOffset.UtcNow + services.GetRequiredService<OtaServerOptions>().SessionLifetime).ToUnixTimeSeconds();
            return [.. fleet.Select(d => new SeededDevice(d.Id, tokens.Issue(new DeviceSession(d.Id, d.Fingerprint, expires, 0))))];
        }
        finally
        {
            ((IDisposable)app).Dispose();
        }
    }

    /// <summary>Keys, records and signed reports, made on every core (the server is not running yet).</summary>
    private static (DeviceRecord Device, DeviceReport Report)[] Prepare(int count, Action<string> progress)
    {
        var clock = Stopwatch.StartNew();
        var now = DateTimeOffset.UtcNow;
        var prepared = new (DeviceRecord, DeviceReport)[count];
        Parallel.For(0, count, i =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var spki = key.ExportSubjectPublicKeyInfo();
            var identity = DeviceKey.Parse(spki);
            var id = identity.DerivedDeviceId;
            var record = new DeviceRecord(id, ProtocolJson.Base64Url(spki), identity.Fingerprint, "linux-x86_64", "host",
                [new DevicePartition("sensor-filter", 1 << 20)], "0.1.0", DeviceState.Active, 0, [i % 2 == 0 ? "even" : "odd"],
                EquatableMap<string>.Empty, now, now, 0);
            var nonce = ProtocolJson.Base64Url(RandomNumberGenerator.GetBytes(32));
            var report = new VersionReport(id, nonce, now.ToUnixTimeSeconds(), "development", "0.1.0",
                [new ContainerReport("sensor-filter", new SlotReport("a", "1.0.0", "sha256:" + new string('a', 64), 1), null, 0, null, null)], 1, null);
            var signed = SignedVersionReport.Create(report, data => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
            prepared[i] = (record, new DeviceReport(id, 0, nonce, now, ProtocolJson.Base64Url(signed.Payload), ProtocolJson.Base64Url(signed.Signature)));
        });
        progress($"{count} device keys and signed reports made in {clock.Elapsed.TotalSeconds:F0} s");
        return prepared;
    }

    private static List<(string Id, string Fingerprint)> Write(IServiceProvider services, (DeviceRecord Device, DeviceReport Report)[] prepared, Action<string> progress)
    {
        var devices = services.GetRequiredService<IDeviceStore>();
        var reports = services.GetRequiredService<IDeviceReportStore>();
        var clock = Stopwatch.StartNew();
        var fleet = new List<(string, string)>(prepared.Length);
        foreach (var (device, report) in prepared)
        {
            if (!devices.TryAdd(device)) throw new InvalidOperationException($"device {device.Id} seeded twice");
            if (reports.TryAppend(report) is null) throw new InvalidOperationException($"report of {device.Id} refused");
            fleet.Add((device.Id, device.KeyFingerprint));
            if (fleet.Count % 10_000 == 0) progress($"stored {fleet.Count} devices and reports ({clock.Elapsed.TotalSeconds:F0} s)");
        }
        return fleet;
    }

    private static void UploadDirectorRoot(IServiceProvider services)
    {
        var targetsKey = services.GetRequiredService<FileOnlineKeyStore>().EnsureKey(OnlineRole.DirectorTargets)[^1];
        var rootKey = Ed25519MetadataSigner.Generate();
        services.GetRequiredService<UptaneDirector>().AcceptRoot(MetadataSigning.Sign(RootPlan.Build(1, DateTimeOffset.UtcNow.AddDays(365),
            new Dictionary<string, RoleAssignment>
            {
                ["root"] = new([rootKey.PublicKey], 1),
                ["targets"] = new([targetsKey.PublicKey], 1),
            }, consistentSnapshot: false), rootKey).ToBytes());
    }
}
