using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AtymSecure.ObjectStore;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.Postgres;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using AtymSecure.TestSupport.Registry;
using Xunit.Abstractions;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// Issue 17 §3, replicas through real processes only. Two <c>atym registry serve --store postgres://… --blobs s3://…</c>
/// on one PostgreSQL database and one bucket of a real Ceph RADOS Gateway (each with its own, unshared data folder: what
/// replicas share is in the database and the bucket); two <c>atym ota serve --store postgres://…</c> on another database
/// and one shared data folder (session key, online TUF keys, metadata: docs/scale-out.md) and one bundle bucket
/// (<c>--blobs</c>: cut bundles and the cut index), both importing from
/// registry one; one <c>atym fleet simulate</c> of <see cref="Devices"/> devices spread over both OTA replicas.
/// <para>
/// The release is pushed and signed through registry two and imported through registry one (a background job: either OTA
/// replica's worker may claim it), then rolled out through the deployments API (canary, then the rest). Mid-rollout, with
/// a chunked push of a big blob under way to registry two (one chunk acknowledged, the next one half sent), OTA replica
/// two and registry replica two are killed with SIGKILL. Then: the devices of OTA two fail over to OTA one and the rollout
/// completes there — every device confirmed once (the audit: one confirmation per device, one offer per attempt), every
/// device that had finished before the kill still finished, and the claims ledger read from PostgreSQL shows no job
/// claimed twice at once and none succeeded twice; registry one still serves what was committed (the release's tag and
/// manifest), answers 404 for the unfinished blob, the bucket holds no object under a final blob key whose bytes do not
/// hash to it, and the interrupted push is finished through registry one from where its stored data ends.
/// </para>
/// </summary>
[Trait("Requires", "process")]
[Trait("Requires", "postgres")]
[Trait("Requires", "s3")]
public sealed class ReplicasEndToEndTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Container = OtaStack.Container;
    private const string Version = "5.0.0";
    private const string Group = "replicas";
    private const int Devices = 200;
    private const int MiB = 1 << 20;
    /// <summary>200 devices polling every second are 200 polls a second on 2 cores beside their own trials; every 3 s a third of it.</summary>
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(180);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(500);

    private readonly TempFolder _folder = TempFolder.Create("e2e-replicas");
    private readonly string _otaDatabase = PostgresServer.Shared.CreateDatabase("ota_replicas_e2e");
    private readonly string _registryDatabase = PostgresServer.Shared.CreateDatabase("registry_replicas_e2e");
    private readonly string _bucketUrl = CephObjectGateway.Shared.Url(CephObjectGateway.NewBucketName("replicas-e2e"));
    private readonly string _bundleBucketUrl = CephObjectGateway.Shared.Url(CephObjectGateway.NewBucketName("replicas-e2e-bundles"));
    private S3ObjectStore _bucket = null!;
    private AtymProcess _atym = null!;
    private AtymRegistryProcess _registryOne = null!, _registryTwo = null!;
    private OtaServerProcess _one = null!, _two = null!;
    private FleetProcess? _fleet;
    private JsonElement _deployment; // the last view read, for the failure report
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private string Tuf => _folder.File("tuf");

    private string Release => $"samples/{Container}";

    private string _lastProgress = "";
    private TimeSpan _lastProgressAt;

    /// <summary>Logs the deployment's progress when it changed and at most every 5 s, so a run shows its pace.</summary>
    private void Progress(JsonElement deployment)
    {
        var line = ReplicaRunEvidence.Progress(deployment);
        if (line == _lastProgress || _clock.Elapsed - _lastProgressAt < TimeSpan.FromSeconds(5)) return;
        (_lastProgress, _lastProgressAt) = (line, _clock.Elapsed);
        Step(line);
    }

    private void Step(string what) => output.WriteLine($"[{_clock.Elapsed.TotalSeconds,6:0.0} s] {what}");

    public async Task InitializeAsync()
    {
        _bucket = S3ObjectStore.Open(_bucketUrl);
        await _bucket.CreateBucketAsync();
        using (var bundles = S3ObjectStore.Open(_bundleBucketUrl)) await bundles.CreateBucketAsync();
        string[] registryStore = ["--store", PostgresServer.Shared.Url(_registryDatabase), "--blobs", _bucketUrl];
        _registryOne = new AtymRegistryProcess(_folder.Folder("registry-1"), registryStore);
        _registryTwo = new AtymRegistryProcess(_folder.Folder("registry-2"), registryStore);
        // Both at once: the schema migration is serialized between them, neither fails.
        await Task.WhenAll(_registryOne.StartAsync(), _registryTwo.StartAsync());
        Step($"registry replicas up (Ceph RGW started in {CephObjectGateway.Shared.StartTime.TotalSeconds:0.0} s)");

        _atym = new AtymProcess(_folder.Path, new Dictionary<string, string>
        {
            ["ATYM_KEY_PASSPHRASE"] = "e2e-test", ["ATYM_OTA_KEY_PASSPHRASE"] = "e2e-test", ["SOURCE_DATE_EPOCH"] = "1764000000",
        });
        await _atym.Ok("keygen", "vendor");
        SampleCopy.Make("sensor-filter", _folder.File("sample"), Version, patientHealth: true);
        // Twenty devices trial at once in one fleet process on a 2-core machine shared with other builds: one probe passing
        // within a generous timeout confirms, and the trial's window (3 x the interval) leaves 10 s for a late probe to be
        // served, so a trial fails for a broken module, not for want of CPU. With a 3 s interval (window 9 s) 38 of the first
        // 50 trials failed "only 0 of 1 probes passed within 9.0 s" (4 December, 22:56 UTC, load average ~13).
        var yaml = _folder.File(Path.Combine("sample", "atym.yaml"));
        File.WriteAllText(yaml, File.ReadAllText(yaml).Replace(SampleCopy.PatientHealthCheck, "  intervalMs: 5000\n  timeoutMs: 4000\n  passesToConfirm: 1\n", StringComparison.Ordinal));
        // Pushed and signed through registry two; imported below through registry one.
        var pushed = $"{_registryTwo.HostPort}/{Release}:{Version}";
        await _atym.Ok("build", _folder.File("sample"), "-o", _folder.File("layout"));
        await _atym.Ok("copy", $"oci:{_folder.File("layout")}:{Version}", pushed);
        await _atym.Ok("sign", pushed, "--key", "vendor.key");

        // OTA replica one first: it creates the session key and the online keys in the shared folder, and the admin token.
        // Cut bundles and the cut index in a bucket both share (atym ota serve --blobs; null: the shared data folder).
        var store = PostgresServer.Shared.Url(_otaDatabase);
        var one = new Uri($"http://127.0.0.1:{LoopbackPort.Next()}/");
        var two = new Uri($"http://127.0.0.1:{LoopbackPort.Next()}/");
        _one = new OtaServerProcess(_atym, _folder.Path, one, one, _registryOne.BaseUri, _folder.File("vendor.pub"), store: store, name: "ota-1", blobs: _bundleBucketUrl, pollInterval: PollInterval);
        await _one.StartAsync();
        // Both accept replica one's URL as the origin devices sign: the name a load balancer in front of them would have.
        _two = new OtaServerProcess(_atym, _folder.Path, two, one, _registryOne.BaseUri, _folder.File("vendor.pub"), store: store, name: "ota-2", blobs: _bundleBucketUrl, pollInterval: PollInterval)
            { AdminToken = _one.AdminToken };
        await _two.StartAsync();
        await PublishTrustRootsAsync();
        Step("OTA replicas up, trust roots published");
    }

    /// <summary>The offline TUF half, as <see cref="OtaStack"/> makes it, uploaded through replica one.</summary>
    private async Task PublishTrustRootsAsync()
    {
        var online = Path.Combine(_one.DataDirectory, "tuf", "keys");
        await _atym.Ok("tuf", "init", "--dir", Tuf, "--online-keys", online);
        await _atym.Ok("tuf", "add-delegation", "--dir", Tuf, "--compiler", OtaStack.DeviceClass, "--online-keys", online);
        await _atym.Ok("tuf", "add-delegation", "--dir", Tuf, "--vendor", "acme", "--key", "vendor.pub", "--pattern", "sensor-*");
        var listing = _folder.File("vendor-acme.json");
        await _atym.Ok("tuf", "sign", "--role", "vendor-acme", "--key", "vendor.key", "-o", listing,
            "--add", $"sources/{Container}/{Version}/module.wasm={_folder.File(Path.Combine("sample", Container + ".wasm"))}");
        using var admin = new OperatorApi(_one.Url, _one.AdminToken);
        await admin.PutFileAsync("api/v1/tuf/image/root", Path.Combine(Tuf, "image", "1.root.json"));
        foreach (var version in new[] { 1, 2, 3 }) await admin.PutFileAsync("api/v1/tuf/image/targets", Path.Combine(Tuf, "image", $"{version}.targets.json"));
        await admin.PutFileAsync("api/v1/tuf/image/delegations/vendor-acme", listing);
        await admin.PutFileAsync("api/v1/tuf/director/root", Path.Combine(Tuf, "director", "1.root.json"));
    }

    private Task<string> Operator(params string[] args) => _atym.Ok([.. args, "--server", _one.Url.ToString(), "--token", _one.AdminToken]);

    [Fact]
    public async Task A_rollout_and_a_push_over_two_replicas_each_finish_on_the_survivors_after_kill_9()
    {
        try
        {
            await RunAsync();
        }
        catch
        {
            await ReportAsync();
            throw;
        }
    }

    private async Task RunAsync()
    {
        var release = (await Operator("ota", "release", $"{_registryOne.HostPort}/{Release}:{Version}", "--device-class", OtaStack.DeviceClass)).Trim();
        var token = (await Operator("ota", "token", "create", "--enrollment", "--group", Group, "--label", "replicas fleet")).Trim();
        Step($"release {release} imported through registry one");
        using var api = new OperatorApi(_one.Url, _one.AdminToken);
        using var apiTwo = new OperatorApi(_two.Url, _one.AdminToken);

        _fleet = FleetProcess.Start(_atym, [_one.Url, _two.Url], token, Group, Devices, _folder.File("fleet"),
            Path.Combine(Tuf, "director", "1.root.json"), Path.Combine(Tuf, "image", "1.root.json"));
        await _fleet.WaitForAsync(c => c.Enrolled == Devices, "every device enrolled", Deadline);
        Step($"{Devices} devices enrolled");
        await Wait.UntilAsync(async () => await PollsAsync(apiTwo) > 0 && await PollsAsync(api) > 0, "both replicas to answer polls (the fleet spreads)", Deadline, Every);

        var id = (await api.PostAsync("api/v1/deployments", new
        {
            releaseId = release, target = new { groups = new[] { Group } }, canary = 10, waves = new[] { "100%" }, soak = "2s",
            halt = new { failures = 20 }, deviceTimeout = "3m", retries = 2, retryBackoff = "2s", maxConcurrentDownloads = 20,
        })).GetProperty("id").GetString()!;
        Step($"deployment {id} created");

        // Mid-rollout: past the canaries, part of the next wave confirmed, the rest still to go.
        JsonElement atKill = default;
        await Wait.UntilAsync(async () =>
        {
            _deployment = atKill = await apiTwo.GetAsync("api/v1/deployments/" + id);
            Progress(atKill);
            return atKill.GetProperty("wave").GetInt32() >= 1 && ReplicaRunEvidence.Devices(atKill).Count(d => d.State == "succeeded") >= Devices / 5;
        }, $"the rollout past its canaries with {Devices / 5} devices confirmed", Deadline, Every);

        // Mid-push: a 40 MiB blob to registry two, 8 MiB acknowledged, 20 MiB of the next PATCH sent (one 16 MiB chunk object
        // of it stored by registry two, never acknowledged) when both replicas two die.
        await using var push = new InterruptedBlobPush("bulk/data", 40 * MiB, firstChunk: 8 * MiB, stalledBytes: 20 * MiB, seed: 17);
        await push.StartAsync(_registryTwo.BaseUri);
        var upload = push.Location.Split('?')[0].Split('/')[^1];
        await Wait.UntilAsync(async () => await _bucket.HeadAsync($"uploads/{upload}/chunks/{8 * MiB:D15}") is not null,
            "registry two to store the stalled PATCH's first chunk object", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(100));
        var pollsOnTwo = await PollsAsync(apiTwo);
        await Task.WhenAll(_two.KillAsync(), _registryTwo.KillAsync());
        await push.AbandonStalledAsync();
        var finishedAtKill = ReplicaRunEvidence.Devices(atKill).Where(d => d.State == "succeeded").Select(d => d.Id).ToList();
        Step($"OTA two and registry two killed in wave {atKill.GetProperty("wave").GetInt32()} with {finishedAtKill.Count} devices confirmed " +
            $"(OTA two had answered {pollsOnTwo:0} polls) and a push of {push.Digest} mid-chunk");

        await CheckRegistrySurvivorAsync(push);
        Step($"registry one: release still served, {push.Digest} 404, bucket clean; push resumed at {push.ResumedAt / MiB} MiB and finished");

        JsonElement done = default;
        await Wait.UntilAsync(async () =>
        {
            _deployment = done = await api.GetAsync("api/v1/deployments/" + id);
            Progress(done);
            var status = done.GetProperty("status").GetString();
            return status == "completed" || (status is "halted" or "cancelled" ? throw new InvalidOperationException($"deployment {status}") : false);
        }, "the rollout to complete on the survivor", Deadline, Every);
        await _fleet.WaitForAsync(c => c.Of(Version).Confirmed == Devices, $"{Version} confirmed on every device", Deadline);
        Step("rollout completed on OTA one; every device confirmed");

        using (var bundles = S3ObjectStore.Open(_bundleBucketUrl))
        {
            var cut = 0;
            await foreach (var _ in bundles.ListAsync("bundles/sha256/")) cut++;
            Assert.True(cut > 0, "the OTA replicas cut no bundle into their bucket (--blobs)");
        }
        await CheckRolloutAsync(api, id, done, finishedAtKill);
        await CheckLedgerAsync();
        await _fleet.StopAsync();
    }

    /// <summary>Registry one after registry two's death: nothing committed lost, no partial blob visible, the push finishes.</summary>
    private async Task CheckRegistrySurvivorAsync(InterruptedBlobPush push)
    {
        using var http = new HttpClient { BaseAddress = _registryOne.BaseUri, Timeout = TimeSpan.FromMinutes(2) };
        var manifest = await http.GetByteArrayAsync($"/v2/{Release}/manifests/{Version}");
        using (var tags = JsonDocument.Parse(await http.GetStringAsync($"/v2/{Release}/tags/list")))
            Assert.Contains(Version, tags.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Contains(Digest.Compute(manifest).ToString(), await _atym.Ok("manifest", "fetch", "--descriptor", $"{_registryOne.HostPort}/{Release}:{Version}"), StringComparison.Ordinal);

        foreach (var method in new[] { HttpMethod.Head, HttpMethod.Get })
        {
            using var request = new HttpRequestMessage(method, $"/v2/bulk/data/blobs/{push.Digest}");
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        var before = await BlobBucketAudit.VerifiedBlobDigestsAsync(_bucket);
        Assert.NotEmpty(before);
        Assert.DoesNotContain(push.Digest.ToString(), before);

        await push.FinishOnAsync(_registryOne.BaseUri);
        await OneLayerImage.PutAsync(http, "bulk/data", "big", push.Digest, push.Size);
        Assert.Equal(push.Digest, Digest.Compute(await http.GetByteArrayAsync($"/v2/bulk/data/blobs/{push.Digest}")));
        Assert.Equal(manifest, await http.GetByteArrayAsync($"/v2/{Release}/manifests/{Version}"));
        Assert.Contains(push.Digest.ToString(), await BlobBucketAudit.VerifiedBlobDigestsAsync(_bucket));
    }

    /// <summary>Nothing committed lost, nothing counted twice: the deployment's devices and the audit log.</summary>
    private static async Task CheckRolloutAsync(OperatorApi api, string id, JsonElement done, List<string> finishedAtKill)
    {
        var final = ReplicaRunEvidence.Devices(done);
        Assert.Equal(Devices, final.Count);
        Assert.All(final, d => Assert.Equal("succeeded", d.State));
        Assert.All(finishedAtKill, f => Assert.Equal("succeeded", final.Single(d => d.Id == f).State));
        var audit = (await api.AuditAsync()).Select(e => (Action: e.GetProperty("action").GetString()!, Subject: e.GetProperty("subject").GetString()!))
            .Where(e => e.Subject.StartsWith($"deployment/{id}", StringComparison.Ordinal)).ToList();
        foreach (var device in final)
        {
            var mine = audit.Where(e => e.Subject == $"deployment/{id}/device/{device.Id}").Select(e => e.Action).ToList();
            // Offered once per attempt (a failed install is retried), confirmed exactly once.
            Assert.True(mine.Count(a => a == "rollout.device-offered") == device.Attempts && mine.Count(a => a == "rollout.device-confirmed") == 1,
                $"{device.Id}: {string.Join(", ", mine)}");
        }
        Assert.Single(audit, e => e.Subject == $"deployment/{id}" && e.Action == "rollout.completed");
    }

    /// <summary>The claims ledger: every job succeeded once, and no two claims of one job were open at the same time.</summary>
    private async Task CheckLedgerAsync()
    {
        using var database = new PostgresDatabase(PostgresServer.Shared.ConnectionString(_otaDatabase));
        var ledger = await new PostgresJobStore(database).ListClaimsAsync();
        Assert.NotEmpty(ledger);
        foreach (var job in ledger.GroupBy(c => c.JobId))
        {
            Assert.Equal(1, job.Count(c => c.Outcome == JobClaimOutcomes.Succeeded));
            var claims = job.OrderBy(c => c.Attempt).ToList();
            for (var i = 1; i < claims.Count; i++)
                Assert.True(claims[i - 1].FinishedAt is { } f && f <= claims[i].ClaimedAt, $"job {job.Key}: attempt {claims[i].Attempt} claimed while {claims[i - 1].Attempt} was open");
        }
        Step($"ledger: {ledger.Count} claim(s) of {ledger.Select(c => c.JobId).Distinct().Count()} job(s), by {string.Join(", ", ledger.Select(c => c.ReplicaId).Distinct())}");
    }

    private async Task ReportAsync()
    {
        try
        {
            using var api = new OperatorApi(_one.Url, _one.AdminToken);
            var audit = _deployment.ValueKind == JsonValueKind.Object
                ? (await api.AuditAsync()).Select(e => (e.GetProperty("action").GetString()!, e.GetProperty("subject").GetString()!,
                    e.TryGetProperty("after", out var after) ? after.ToString() : null)).ToList()
                : [];
            output.WriteLine(ReplicaRunEvidence.Describe(_deployment, audit, _fleet?.DeviceLogs() ?? new Dictionary<string, string>(),
                new Dictionary<string, string> { ["OTA one"] = _one.Log, ["OTA two"] = _two.Log }));
        }
#pragma warning disable CA1031 // the report must not hide the failure it reports
        catch (Exception e)
#pragma warning restore CA1031
        {
            output.WriteLine($"(the evidence could not be read: {e.Message})");
        }
        output.WriteLine("--- fleet (now: " + (_fleet?.Summary.Line ?? "") + ") ---\n" + ReplicaRunEvidence.Tail(_fleet?.Log ?? "", 4000));
        output.WriteLine("--- OTA one ---\n" + ReplicaRunEvidence.Tail(_one.Log, 8000));
        output.WriteLine("--- OTA two ---\n" + ReplicaRunEvidence.Tail(_two.Log, 4000));
        output.WriteLine("--- registry one ---\n" + ReplicaRunEvidence.Tail(_registryOne.Log, 3000));
        output.WriteLine("--- registry two ---\n" + ReplicaRunEvidence.Tail(_registryTwo.Log, 3000));
    }

    private static async Task<double> PollsAsync(OperatorApi api)
    {
        var total = 0.0;
        foreach (var line in (await api.GetTextAsync("metrics")).Split('\n'))
            if (line.StartsWith("atym_ota_polls_total{", StringComparison.Ordinal))
                total += double.Parse(line[(line.IndexOf('}', StringComparison.Ordinal) + 1)..].Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture);
        return total;
    }

    public async Task DisposeAsync()
    {
        if (_fleet is not null) await _fleet.DisposeAsync();
        if (_two is not null) await _two.DisposeAsync();
        if (_one is not null) await _one.DisposeAsync();
        if (_registryTwo is not null) await _registryTwo.DisposeAsync();
        if (_registryOne is not null) await _registryOne.DisposeAsync();
        _bucket?.Dispose();
        PostgresServer.Shared.DropDatabase(_otaDatabase);
        PostgresServer.Shared.DropDatabase(_registryDatabase);
        _folder.Dispose();
    }
}
