using AtymSecure.Formats.Bundle;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.LiteDb;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using static AtymSecure.OtaRollouts.Tests.Support.RolloutSamples;

namespace AtymSecure.OtaRollouts.Tests.Service;

/// <summary>
/// The rollout service over the real LiteDB stores in a temp folder, with real signed-shape version reports stored in the
/// report store: a restart resumes exactly where it was, and a report seen before a restart (or again) is never
/// counted twice in the audit log.
/// </summary>
public sealed class RolloutServiceTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("rollout-service");
    private readonly VirtualClock _clock = Clock();
    private OtaDatabase _database;

    public RolloutServiceTests() => _database = new OtaDatabase(_folder.Path);

    public void Dispose()
    {
        _database.Dispose();
        _folder.Dispose();
    }

    private RolloutService Service() => new(new LiteDbDeploymentStore(_database), new LiteDbReleaseStore(_database),
        new FleetReader(new LiteDbDeviceStore(_database), new LiteDbDeviceReportStore(_database)), new LiteDbAuditLog(_database), _clock);

    private void Restart()
    {
        _database.Dispose();
        _database = new OtaDatabase(_folder.Path);
    }

    private static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();

    /// <param name="v2Counter">2.0.0's security counter (1.0.0 has 1): above it, rolling back re-releases 1.0.0's code.</param>
    private async Task<(Release V1, Release V2)> SeedAsync(int devices, ulong v2Counter = 1)
    {
        var releases = new LiteDbReleaseStore(_database);
        Release Make(string version, int minute, ulong counter) => new(Release.IdFor(Sha(version)), "sensor-filter", version, "127.0.0.1:5000/samples/sensor-filter", Sha(version), Sha("wasm" + version),
            counter, counter > 1, Epoch.AddMinutes(minute), Epoch.AddDays(180), [new ReleaseImage("linux-x86_64", Sha("img" + version), 4096, ArtifactKind.WasmtimeNative, [], Sha("o"), Sha("r"))], []);
        var v1 = await releases.AddOrGetAsync(Make("1.0.0", -2, 1));
        var v2 = await releases.AddOrGetAsync(Make("2.0.0", -1, v2Counter));
        var store = new LiteDbDeviceStore(_database);
        for (var i = 0; i < devices; i++)
        {
            store.TryAdd(new DeviceRecord($"d{i:D2}", "pk", "fp", "linux-x86_64", "host", [], "0.1.0", DeviceState.Active, 1, [i % 2 == 0 ? "eu" : "us"],
                EquatableMap<string>.Empty, Epoch, Epoch, 1));
            Report($"d{i:D2}", confirmed: "1.0.0");
        }
        return (v1, v2);
    }

    private DeviceReport Report(string device, string confirmed, string? trial = null, TrialReport? lastTrial = null)
    {
        var container = new ContainerReport("sensor-filter", new SlotReport("a", confirmed, Sha("img" + confirmed), 1),
            trial is null ? null : new SlotReport("b", trial, Sha("img" + trial), 1), 3, new InstallReport("installed", null, null), lastTrial);
        var report = new VersionReport(device, "nonce-" + Guid.NewGuid().ToString("N"), 1764000000, "production", "0.1.0", [container], 1, null);
        return new LiteDbDeviceReportStore(_database).TryAppend(new DeviceReport(device, 0, report.Nonce, _clock.GetUtcNow(),
            ProtocolJson.Base64Url(report.ToJson()), "sig"))!;
    }

    private static DeploymentRequest Request(string releaseId) => new(releaseId, new DeploymentTargetRequest(Groups: ["eu", "us"]), Canary: 2,
        Waves: ["50%", "100%"], Soak: "30s", Halt: new HaltRequest(Failures: 1), DeviceTimeout: "10m");

    [Fact]
    public async Task A_halted_rollout_survives_a_restart_and_a_report_is_counted_once_before_and_after_it()
    {
        var (_, v2) = await SeedAsync(6);
        var service = Service();
        var created = await service.CreateAsync(Request(v2.Id), Alice);
        var canaries = Offered(created);
        Assert.Equal(2, canaries.Count);
        Assert.Equal(v2.Id, Assert.Single(service.OffersFor(canaries[0])).ReleaseId);
        Assert.Empty(service.OffersFor(created.Devices.First(d => d.Wave == 2).DeviceId));

        var reverted = Report(canaries[0], "1.0.0", lastTrial: new TrialReport(TrialReport.Failed, "2.0.0", "health probe failed: stuck"));
        await service.OnReportStoredAsync(reverted);
        await service.OnReportStoredAsync(reverted); // delivered twice
        var halted = service.Find(created.Id)!;
        Assert.Equal(DeploymentStatus.Halted, halted.Status);
        Assert.Equal("health probe failed: stuck", halted.Halt!.Devices.Single().Reason);

        Restart();
        var again = Service();
        Assert.Equal(halted, again.Find(created.Id));
        await again.OnReportStoredAsync(reverted);
        await again.TickAsync(); // catches up from the report store: nothing new
        var audit = new LiteDbAuditLog(_database).Page(0, 1000).Entries;
        Assert.Single(audit, e => e.Action == "rollout.device-failed" && e.Subject.EndsWith(canaries[0], StringComparison.Ordinal));
        Assert.Single(audit, e => e.Action == "rollout.halted");
        Assert.Empty(again.OffersFor(canaries[0]));
    }

    [Fact]
    public async Task A_halt_with_the_rollback_policy_sends_the_previous_code_re_released_at_the_floor_to_the_devices_that_confirmed()
    {
        var (v1, v2) = await SeedAsync(6, v2Counter: 2);
        var service = Service();
        var created = await service.CreateAsync(Request(v2.Id) with { RollbackOnHalt = true }, Alice);
        var canaries = Offered(created);
        await service.OnReportStoredAsync(Report(canaries[0], "2.0.0", lastTrial: new TrialReport(TrialReport.Passed, "2.0.0", "3 probes passed")));
        _clock.Advance(TimeSpan.FromSeconds(5));
        await service.OnReportStoredAsync(Report(canaries[1], "1.0.0", lastTrial: new TrialReport(TrialReport.Failed, "2.0.0", "health probe failed: stuck")));

        var halted = service.Find(created.Id)!;
        Assert.Equal(DeploymentStatus.RolledBack, halted.Status);
        var rollback = service.Find(halted.RolledBackBy!)!;
        // The device that confirmed 2.0.0 has floor 2: 1.0.0's release (counter 1) would be refused, so its code is released again at 2.
        var again = (await new LiteDbReleaseStore(_database).GetAsync(rollback.Spec.ReleaseId))!;
        Assert.Equal((Release.IdFor(v1.ManifestDigest, 2), "1.0.0", v1.ManifestDigest, v1.Images, 2ul), (again.Id, again.Version, again.ManifestDigest, again.Images, again.SecurityCounter));
        Assert.Equal(_clock.GetUtcNow(), again.ImportedAt);
        Assert.Equal((created.Id, true, new EquatableList<string>([canaries[0]])), (rollback.Spec.RollbackOf, rollback.Spec.Forced, rollback.Spec.Target.Devices));
        Assert.Equal(again.Id, Assert.Single(service.OffersFor(canaries[0])).ReleaseId);
        Assert.Empty(service.OffersFor(canaries[1]));
        var audit = new LiteDbAuditLog(_database).Page(0, 1000).Entries;
        var rereleased = Assert.Single(audit, e => e.Action == "rollout.rollback-rereleased");
        Assert.Contains(again.Id, rereleased.After, StringComparison.Ordinal);

        // The device installs the re-release and confirms 1.0.0: the rollback succeeds for it.
        await service.OnReportStoredAsync(Report(canaries[0], "1.0.0", lastTrial: new TrialReport(TrialReport.Passed, "1.0.0", "3 probes passed")));
        Assert.Equal(DeviceRolloutState.Succeeded, service.Find(rollback.Id)!.Device(canaries[0])!.State);
    }

    /// <summary>
    /// The halt withdraws the devices offered 2.0.0 but not yet on trial; one of them had the bundle already and goes on to
    /// confirm 2.0.0 after the operator rolled back (the dashboard's browser run hit this under load), another reports it
    /// on trial (a report the listener missed, which the next tick catches up on). Both reports are recorded in the rolled-back deployment, the rollback takes both devices (a completed
    /// rollback runs again for the one that confirmed), the director names the rollback's release to them, and the audit
    /// log holds one record per decision.
    /// </summary>
    [Fact]
    public async Task A_device_withdrawn_mid_download_that_reaches_the_release_after_the_rollback_is_rolled_back_too()
    {
        var (v1, v2) = await SeedAsync(6);
        var service = Service();
        var created = await service.CreateAsync(Request(v2.Id) with { Waves = ["100%"] }, Alice);
        var canaries = Offered(created);
        foreach (var c in canaries) await service.OnReportStoredAsync(Report(c, "2.0.0", lastTrial: new TrialReport(TrialReport.Passed, "2.0.0", "3 probes passed")));
        _clock.Advance(TimeSpan.FromSeconds(30));
        await service.TickAsync();
        var wave = Offered(service.Find(created.Id)!).Except(canaries).ToList();
        Assert.Equal(4, wave.Count);
        await service.OnReportStoredAsync(Report(wave[0], "1.0.0", lastTrial: new TrialReport(TrialReport.Failed, "2.0.0", "health probe failed: stuck")));
        var halted = service.Find(created.Id)!;
        Assert.Equal(DeploymentStatus.Halted, halted.Status);
        var (late, lateTrial) = (wave[1], wave[2]);
        Assert.All(wave.Skip(1), d => Assert.Equal(DeviceRolloutState.Withdrawn, halted.Device(d)!.State));

        var rollback = await service.RollbackAsync(created.Id, null, Bob);
        Assert.Equal(canaries.Order(StringComparer.Ordinal), rollback.Spec.Target.Devices.Order(StringComparer.Ordinal));
        foreach (var c in canaries) await service.OnReportStoredAsync(Report(c, "1.0.0", lastTrial: new TrialReport(TrialReport.Passed, "1.0.0", "3 probes passed")));
        Assert.Equal(DeploymentStatus.Completed, service.Find(rollback.Id)!.Status);

        // The withdrawn downloads went on: one device confirms 2.0.0, another has it on trial.
        await service.OnReportStoredAsync(Report(late, "2.0.0", lastTrial: new TrialReport(TrialReport.Passed, "2.0.0", "3 probes passed")));
        Report(lateTrial, "1.0.0", trial: "2.0.0"); // stored, listener never told (a crash): the next tick catches up on it
        await service.TickAsync();
        var rolledBack = service.Find(created.Id)!;
        Assert.Equal((DeviceRolloutState.Succeeded, DeviceRolloutState.Trial), (rolledBack.Device(late)!.State, rolledBack.Device(lateTrial)!.State));
        var reopened = service.Find(rollback.Id)!;
        Assert.Equal(DeploymentStatus.Running, reopened.Status);
        Assert.Equal(DeviceRolloutState.Offered, reopened.Device(late)!.State);
        Assert.NotNull(reopened.Device(lateTrial)); // confirmed slot on 1.0.0, trial on 2.0.0: named 1.0.0 like the devices on trial at the rollback
        Assert.Equal(v1.Id, Assert.Single(service.OffersFor(late)).ReleaseId);
        Assert.Equal(v1.Id, Assert.Single(service.OffersFor(lateTrial)).ReleaseId);

        await service.OnReportStoredAsync(Report(late, "1.0.0", lastTrial: new TrialReport(TrialReport.Passed, "1.0.0", "3 probes passed")));
        var done = service.Find(rollback.Id)!;
        Assert.Equal((DeploymentStatus.Completed, DeviceRolloutState.Succeeded), (done.Status, done.Device(late)!.State));

        var audit = new LiteDbAuditLog(_database).Page(0, 1000).Entries;
        int Count(string action, string deployment, string? device = null) => audit.Count(e => e.Action == "rollout." + action &&
            e.Subject == (device is null ? $"deployment/{deployment}" : $"deployment/{deployment}/device/{device}"));
        Assert.Equal(1, Count(RolloutActions.Withdrawn, created.Id, late));
        Assert.Equal(1, Count(RolloutActions.Confirmed, created.Id, late));
        Assert.Equal(1, Count(RolloutActions.OnTrial, created.Id, lateTrial));
        Assert.Equal(1, Count(RolloutActions.Joined, rollback.Id, late));
        Assert.Equal(1, Count(RolloutActions.Joined, rollback.Id, lateTrial));
        Assert.Equal(1, Count(RolloutActions.Offered, rollback.Id, late));
        Assert.Equal(1, Count(RolloutActions.Confirmed, rollback.Id, late));
        Assert.Equal(1, Count(RolloutActions.Reopened, rollback.Id));
        Assert.Equal(2, Count(RolloutActions.Completed, rollback.Id));
        Assert.Equal(1, Count(RolloutActions.RolledBack, created.Id));
    }

    [Fact]
    public async Task An_operator_rollback_keeps_the_previous_release_when_its_counter_is_already_at_the_floor()
    {
        var (v1, v2) = await SeedAsync(4);
        var service = Service();
        var created = await service.CreateAsync(Request(v2.Id) with { Canary = 1 }, Alice);
        var canary = Offered(created).Single();
        await service.OnReportStoredAsync(Report(canary, "2.0.0", lastTrial: new TrialReport(TrialReport.Passed, "2.0.0", "3 probes passed")));
        var rollback = await service.RollbackAsync(created.Id, null, Bob);
        Assert.Equal(v1.Id, rollback.Spec.ReleaseId); // same counter as 2.0.0: no re-release
        Assert.Equal(2, (await new LiteDbReleaseStore(_database).ListAsync("sensor-filter")).Count);
        Assert.Equal(DeploymentStatus.RolledBack, service.Find(created.Id)!.Status);
        Assert.DoesNotContain(new LiteDbAuditLog(_database).Page(0, 1000).Entries, e => e.Action == "rollout.rollback-rereleased");
    }

    [Fact]
    public async Task Offers_carry_the_groups_install_window_at_once_and_a_forced_deployment_none()
    {
        var (_, v2) = await SeedAsync(4);
        var service = Service();
        var windows = new[] { new WindowRequest("eu", ["sat", "sun"], "02:00", "2h", "Europe/Berlin") };
        var request = Request(v2.Id) with { Canary = 0, Waves = ["100%"], Windows = windows };
        var created = await service.CreateAsync(request, Alice);
        Assert.Equal(4, Offered(created).Count); // 10:00 UTC on a Wednesday, outside the window: offered all the same
        var eu = Assert.Single(service.OffersFor("d00")).Window!;
        Assert.False(eu.IsOpen(_clock.GetUtcNow()));
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 1, 0, 0, TimeSpan.Zero), eu.NextOpening(_clock.GetUtcNow())); // Saturday 02:00 CET
        Assert.Null(Assert.Single(service.OffersFor("d01")).Window); // us has no window

        _clock.Advance(TimeSpan.FromSeconds(1)); // the newer deployment's offer wins (by creation time)
        var forced = await service.CreateAsync(request with { Forced = true }, Alice);
        var offer = Assert.Single(service.OffersFor("d00"));
        Assert.Equal((forced.Id, (Formats.UpdateMetadata.Model.InstallWindow?)null), (offer.DeploymentId, offer.Window));
    }

    [Fact]
    public async Task A_report_stored_while_the_engine_missed_it_is_used_by_the_next_tick()
    {
        var (_, v2) = await SeedAsync(4);
        var service = Service();
        var created = await service.CreateAsync(Request(v2.Id) with { Canary = 1 }, Alice);
        var canary = Offered(created).Single();
        Report(canary, "2.0.0", lastTrial: new TrialReport(TrialReport.Passed, "2.0.0", "3 probes passed")); // stored, listener never told (a crash)
        Restart();
        var after = Service();
        await after.TickAsync();
        Assert.Equal(DeviceRolloutState.Succeeded, after.Find(created.Id)!.Device(canary)!.State);
        _clock.Advance(TimeSpan.FromSeconds(30));
        await after.TickAsync();
        Assert.Equal(1, after.Find(created.Id)!.Wave);
    }

    [Fact]
    public async Task Requests_are_refused_with_typed_problems_and_a_scoped_deployer_stays_in_its_groups()
    {
        var (v1, v2) = await SeedAsync(2);
        var service = Service();
        var unknown = await Assert.ThrowsAsync<OtaProblemException>(() => service.CreateAsync(Request("rel-0000000000000000"), Alice));
        Assert.Equal((404, RolloutProblemCodes.ReleaseNotFound), (unknown.Status, unknown.Problems[0].Code));
        var scoped = new OperatorIdentity("tok-eu", "eu ops", OperatorRole.Deployer, ["eu"]);
        var outOfScope = await Assert.ThrowsAsync<OtaProblemException>(() => service.CreateAsync(Request(v2.Id), scoped));
        Assert.Equal(403, outOfScope.Status);
        var none = await Assert.ThrowsAsync<OtaProblemException>(() => service.CreateAsync(Request(v2.Id) with { Target = new(Groups: ["asia"]) }, Alice));
        Assert.Equal((422, RolloutProblemCodes.NoTargets), (none.Status, none.Problems[0].Code));
        var bad = Assert.Throws<ProblemException>(() => (Request(v2.Id) with { Soak = "soon", Waves = ["150%"], TimeZone = "Mars/Olympus" })
            .ToSpec("dep-x", v1, [], Epoch, "x"));
        Assert.Equal(["$.waves[0]", "$.soak", "$.timeZone"], bad.Problems.Select(p => p.Path));
        Assert.Empty(service.List());
    }

    [Fact]
    public void A_scheduled_start_in_a_time_zone_is_converted_to_its_instant()
    {
        var v = new Release("rel-2000000000000000", "sensor-filter", "2.0.0", "r", Sha("m"), Sha("w"), 1, false, Epoch, Epoch, [], []);
        var spec = (Request(v.Id) with { Start = "2026-12-03T02:00", End = "2026-07-03T02:00+00:00", TimeZone = "Europe/Berlin" });
        var refused = Assert.Throws<ProblemException>(() => spec.ToSpec("dep-x", v, [], Epoch, "x"));
        Assert.Equal("$.end", refused.Problems.Single().Path);
        var ok = (spec with { End = null }).ToSpec("dep-x", v, [], Epoch, "x");
        Assert.Equal(new DateTimeOffset(2026, 12, 3, 1, 0, 0, TimeSpan.Zero), ok.StartAt!.Value.ToUniversalTime());
    }
}
