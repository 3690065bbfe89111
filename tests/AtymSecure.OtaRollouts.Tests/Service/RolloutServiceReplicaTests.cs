using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.Postgres;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using static AtymSecure.OtaRollouts.Tests.Support.RolloutSamples;

namespace AtymSecure.OtaRollouts.Tests.Service;

/// <summary>
/// Two <see cref="RolloutService"/> replicas, each with its own connection pool, on one real PostgreSQL database, racing
/// over the same stored reports and ticks: every decision is made once (the audit log has one entry per device and
/// decision), no report is counted twice, and what one replica decided is what the other offers at once (a device
/// polling one then the other never sees its desired state go backwards).
/// </summary>
[Trait("Requires", "postgres")]
public sealed class RolloutServiceReplicaTests : IDisposable
{
    private readonly string _name = PostgresServer.Shared.CreateDatabase("rollout_replicas");
    private readonly PostgresDatabase _one, _two;
    private readonly VirtualClock _clock = Clock();

    public RolloutServiceReplicaTests()
    {
        _one = new PostgresDatabase(PostgresServer.Shared.ConnectionString(_name));
        _two = new PostgresDatabase(PostgresServer.Shared.ConnectionString(_name));
    }

    public void Dispose()
    {
        _one.Dispose();
        _two.Dispose();
        PostgresServer.Shared.DropDatabase(_name);
    }

    private RolloutService Replica(PostgresDatabase db) => new(new PostgresDeploymentStore(db), new PostgresReleaseStore(db),
        new FleetReader(new PostgresDeviceStore(db), new PostgresDeviceReportStore(db)), new PostgresAuditLog(db), _clock, clusterLock: new PostgresRolloutLock(db));

    private static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();

    private async Task<Release> SeedAsync(int devices)
    {
        var releases = new PostgresReleaseStore(_one);
        Release Make(string version, int minute) => new(Release.IdFor(Sha(version)), "sensor-filter", version, "127.0.0.1:5000/samples/sensor-filter", Sha(version),
            Sha("wasm" + version), 1, false, Epoch.AddMinutes(minute), Epoch.AddDays(180),
            [new ReleaseImage("linux-x86_64", Sha("img" + version), 4096, ArtifactKind.WasmtimeNative, [], Sha("o"), Sha("r"))], []);
        await releases.AddOrGetAsync(Make("1.0.0", -2));
        var v2 = await releases.AddOrGetAsync(Make("2.0.0", -1));
        var store = new PostgresDeviceStore(_one);
        for (var i = 0; i < devices; i++)
        {
            store.TryAdd(new DeviceRecord($"d{i:D2}", "pk", "fp", "linux-x86_64", "host", [], "0.1.0", DeviceState.Active, 1, [i % 2 == 0 ? "eu" : "us"],
                EquatableMap<string>.Empty, Epoch, Epoch, 1));
            Report($"d{i:D2}", "1.0.0");
        }
        return v2;
    }

    private DeviceReport Report(string device, string confirmed, TrialReport? lastTrial = null)
    {
        var container = new ContainerReport("sensor-filter", new SlotReport("a", confirmed, Sha("img" + confirmed), 1), null, 3,
            new InstallReport("installed", null, null), lastTrial);
        var report = new VersionReport(device, "nonce-" + Guid.NewGuid().ToString("N"), 1764000000, "production", "0.1.0", [container], 1, null);
        return new PostgresDeviceReportStore(_one).TryAppend(new DeviceReport(device, 0, report.Nonce, _clock.GetUtcNow(), ProtocolJson.Base64Url(report.ToJson()), "sig"))!;
    }

    /// <summary>Both replicas handle every report at once (a report delivered to one, the other catching up), then both tick.</summary>
    private static async Task RaceAsync(RolloutService one, RolloutService two, IReadOnlyList<DeviceReport> reports)
    {
        var work = new List<Task>();
        foreach (var report in reports)
        {
            work.Add(Task.Run(() => one.OnReportStoredAsync(report)));
            work.Add(Task.Run(() => two.OnReportStoredAsync(report)));
        }
        work.Add(Task.Run(() => one.TickAsync()));
        work.Add(Task.Run(() => two.TickAsync()));
        await Task.WhenAll(work);
    }

    private static TrialReport Passed => new(TrialReport.Passed, "2.0.0", "3 probes passed");

    [Fact]
    public async Task Two_replicas_racing_over_the_same_reports_decide_each_device_once_and_offer_the_same()
    {
        var v2 = await SeedAsync(6);
        var one = Replica(_one);
        var two = Replica(_two);
        var created = await one.CreateAsync(new DeploymentRequest(v2.Id, new DeploymentTargetRequest(Groups: ["eu", "us"]), Canary: 2,
            Waves: ["100%"], Soak: "30s", Halt: new HaltRequest(Failures: 1), DeviceTimeout: "10m"), Alice);
        var canaries = Offered(created);
        // Replica two never made a decision: it offers what one decided, on the first read.
        Assert.All(canaries, d => Assert.Equal(v2.Id, Assert.Single(two.OffersFor(d)).ReleaseId));
        Assert.Equal(created, two.Find(created.Id));

        await RaceAsync(one, two, [.. canaries.Select(d => Report(d, "2.0.0", Passed))]);
        _clock.Advance(TimeSpan.FromSeconds(31)); // the canaries' soak
        await Task.WhenAll(Task.Run(() => one.TickAsync()), Task.Run(() => two.TickAsync()));
        var wave = two.Find(created.Id)!;
        var rest = Offered(wave);
        Assert.Equal(4, rest.Count);
        Assert.All(rest, d => Assert.Equal(v2.Id, Assert.Single(one.OffersFor(d)).ReleaseId));

        await RaceAsync(one, two, [.. rest.Select(d => Report(d, "2.0.0", Passed))]);
        _clock.Advance(TimeSpan.FromSeconds(31));
        await Task.WhenAll(Task.Run(() => one.TickAsync()), Task.Run(() => two.TickAsync()));

        var final = one.Find(created.Id)!;
        Assert.Equal(final, two.Find(created.Id));
        Assert.Equal(DeploymentStatus.Completed, final.Status);
        var audit = new PostgresAuditLog(_one).Page(0, 1000).Entries.Where(e => e.Subject.StartsWith($"deployment/{created.Id}", StringComparison.Ordinal)).ToList();
        var confirmed = audit.Where(e => e.Action == "rollout.device-confirmed").Select(e => e.Subject).ToList();
        Assert.Equal(6, confirmed.Count);
        Assert.Equal(6, confirmed.Distinct().Count()); // no device counted twice
        Assert.Single(audit, e => e.Action == "rollout.wave-started" && e.After!.Contains("\"wave\":1", StringComparison.Ordinal));
        Assert.Single(audit, e => e.Action == "rollout.completed");
    }

    [Fact]
    public async Task A_report_handled_by_both_replicas_fails_a_canary_once_and_halts_once()
    {
        var v2 = await SeedAsync(4);
        var one = Replica(_one);
        var two = Replica(_two);
        var created = await two.CreateAsync(new DeploymentRequest(v2.Id, new DeploymentTargetRequest(Groups: ["eu", "us"]), Canary: 2,
            Waves: ["100%"], Soak: "30s", Halt: new HaltRequest(Failures: 1), DeviceTimeout: "10m"), Alice);
        var canary = Offered(created)[0];
        var reverted = Report(canary, "1.0.0", new TrialReport(TrialReport.Failed, "2.0.0", "health probe failed: stuck"));
        await RaceAsync(one, two, [reverted, reverted]);

        Assert.Equal(DeploymentStatus.Halted, one.Find(created.Id)!.Status);
        Assert.Empty(two.OffersFor(canary));
        var audit = new PostgresAuditLog(_two).Page(0, 1000).Entries;
        Assert.Single(audit, e => e.Action == "rollout.device-failed" && e.Subject.EndsWith(canary, StringComparison.Ordinal));
        Assert.Single(audit, e => e.Action == "rollout.halted");
    }
}
