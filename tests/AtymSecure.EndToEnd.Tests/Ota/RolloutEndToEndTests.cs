using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.TestSupport;
using Xunit.Abstractions;

namespace AtymSecure.EndToEnd.Tests.Ota;

/// <summary>
/// Issue 14 §3, the staged-rollout proof through real processes only (<see cref="OtaStack"/>: registry, <c>atym ota
/// serve</c>; two <c>atym fleet simulate</c> processes of 10 devices, each enrolled with a token of its own group).
/// v1 is deployed to both groups and confirmed everywhere; v2, whose health probe fails, goes to a canary of two
/// (one per group), both revert, the deployment halts by itself and no other device is ever told about v2 (the
/// audit's offers, the director targets in every poll answer the proxy passed, the devices' own logs); v3 rolls out
/// wave by wave, as deltas from v1; in the middle of one of its waves the server is killed with SIGKILL and started
/// again on the same data folder, and the rollout goes on from where it was: no device offered or trialled twice,
/// none counted twice (the audit records), all 20 on v3 in the end.
/// </summary>
[Trait("Requires", "process")]
[Collection(OtaStackCollection.Name)]
public sealed partial class RolloutEndToEndTests(OtaStack stack, ITestOutputHelper output) : IDisposable
{
    private static readonly string V1 = OtaStack.RolloutVersions[0].Version;
    private static readonly string V2 = OtaStack.RolloutVersions[1].Version;
    private static readonly string V3 = OtaStack.RolloutVersions[2].Version;
    private const int PerGroup = 10;
    private static readonly string[] Groups = ["rollout-east", "rollout-west"];
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(250);
    private readonly TempFolder _folder = TempFolder.Create("e2e-rollout");

    public void Dispose() => _folder.Dispose();

    private static bool IsBundle(ProxiedRequest r) => r.Method == "GET" && r.Path.StartsWith("/bundles/sha256/", StringComparison.Ordinal);

    [Fact]
    public async Task A_bad_release_halts_at_its_canaries_and_the_good_one_rolls_out_in_waves_as_deltas_through_a_server_kill()
    {
        try
        {
            await RunAsync();
        }
        catch
        {
            output.WriteLine("--- fleets ---");
            foreach (var fleet in _fleets) output.WriteLine(Tail(fleet.Log, 3000));
            output.WriteLine("--- server ---\n" + Tail(stack.Server.Log, 12000));
            throw;
        }
    }

    private static string Tail(string log, int chars) => log.Length <= chars ? log : log[^chars..];

    private readonly List<FleetProcess> _fleets = [];

    private async Task RunAsync()
    {
        var clock = Stopwatch.StartNew();
        var deployer = (await stack.Operator("ota", "token", "create", "--role", "deployer", "--label", "e2e rollouts")).Trim();
        using var api = new OperatorApi(stack.Server.Url, deployer);
        using var polls = stack.DeviceProxy.Record(r => r.Method == "GET" && r.Path.EndsWith("/poll", StringComparison.Ordinal));
        var (v1, v2, v3) = (await stack.ReleaseAsync(V1), await stack.ReleaseAsync(V2), await stack.ReleaseAsync(V3));
        Step("releases imported");

        await using var east = await FleetProcess.StartAsync(stack, Groups[0], PerGroup, _folder.File("east"));
        await using var west = await FleetProcess.StartAsync(stack, Groups[1], PerGroup, _folder.File("west"));
        FleetProcess[] fleets = [east, west];
        _fleets.AddRange(fleets);
        var members = new Dictionary<string, string>(StringComparer.Ordinal); // device → group
        foreach (var fleet in fleets)
        {
            await fleet.WaitForAsync(c => c.Enrolled == PerGroup, "every device enrolled", Deadline);
            var inGroup = await GroupAsync(api, fleet.Group);
            Assert.Equal(PerGroup, inGroup.Count);
            foreach (var id in inGroup) members[id] = fleet.Group;
        }
        Step("20 devices enrolled in two groups");

        // v1 to both groups, one wave: every device downloads the full bundle, trials and confirms it.
        var fullBefore = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"");
        var first = await DeployAsync(api, new { releaseId = v1, target = new { groups = Groups }, deviceTimeout = "2m" });
        var done = await SettledAsync(api, first, "completed");
        Assert.All(Devices(done), d => Assert.Equal("succeeded", d.State));
        foreach (var fleet in fleets) await fleet.WaitForAsync(c => c.Of(V1).Confirmed == PerGroup, $"{V1} confirmed on every device", Deadline);
        var fullV1 = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"") - fullBefore;
        Assert.True(fullV1 > 0, "the v1 devices downloaded no full bundle");
        Step($"{V1} confirmed on all 20 ({fullV1:0} full bundle bytes)");

        // v2 fails its health probe: the two canaries (one per group) revert, the ratio rule halts once both finished.
        var bad = await DeployAsync(api, new
        {
            releaseId = v2, target = new { groups = Groups }, canary = 2, waves = new[] { "100%" }, soak = "2s",
            halt = new { ratio = "50%", minFinished = 2 }, deviceTimeout = "1m",
        });
        var halted = await SettledAsync(api, bad, "halted");
        var canaries = Devices(halted).Where(d => d.Wave == 0).Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        Assert.Equal(2, canaries.Count);
        Assert.Equal(Groups.Order(), canaries.Select(id => members[id]).Order());
        var halt = halted.GetProperty("halt");
        Assert.Equal(canaries.Order(), halt.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("deviceId").GetString()!).Order());
        Assert.All(halt.GetProperty("devices").EnumerateArray(), d => Assert.Equal("trial-failed", d.GetProperty("kind").GetString()));
        Assert.All(Devices(halted).Where(d => !canaries.Contains(d.Id)), d => Assert.Equal(("pending", 0), (d.State, d.Attempts)));
        foreach (var fleet in fleets)
            await fleet.WaitForAsync(c => c.Of(V1).Confirmed == PerGroup && c.Of(V2) == (0, 0, 1), $"{V1} on every device, {V2} reverted by its canary", Deadline);
        await ServerSeesAsync(api, members.Keys, V1);
        Step($"{V2} halted at its canaries: {halt.GetProperty("rule").GetString()}");

        // Nobody else is ever told about v2: let every device poll a few more times, then look at what the server decided,
        // what it answered each poll (the director targets, as the proxy passed them) and what the devices logged.
        var pollsSoFar = await PollCountAsync();
        await Wait.UntilAsync(async () => await PollCountAsync() >= pollsSoFar + 3 * members.Count, "three more polls of every device", Deadline, Every);
        var offered = (await api.AuditAsync()).Where(e => Action(e) == "rollout.device-offered" && Subject(e).StartsWith($"deployment/{bad}/device/", StringComparison.Ordinal))
            .Select(e => Subject(e)[$"deployment/{bad}/device/".Length..]).ToList();
        Assert.Equal(canaries.Order(), offered.Order());
        var toldV2 = polls.Answers.Where(a => a.Status == 200).SelectMany(DirectorTargets).Where(t => t.Version == V2).Select(t => t.DeviceId).Distinct();
        Assert.Equal(canaries.Order(), toldV2.Order());
        var logs = fleets.SelectMany(f => f.DeviceLogs()).ToDictionary();
        Assert.Equal(members.Keys.Order(), logs.Keys.Order());
        Assert.All(logs.Where(l => !canaries.Contains(l.Key)), l => Assert.DoesNotContain($"{OtaStack.Container} {V2}", l.Value, StringComparison.Ordinal));
        Assert.All(logs.Where(l => canaries.Contains(l.Key)), l => Assert.Contains($"trial of {V2} failed: reverted; running {V1}", l.Value, StringComparison.Ordinal));
        Step($"{V2} offered to, named in the director targets of and logged by the 2 canaries only");

        // v3: canary 2, then half the rest, then all, each wave soaking 2 s. The first bundle request of the device after the
        // canaries and the first wave is held at the proxy (a download in flight); once another device of its wave is on
        // trial, the server is killed and restarted on the same folder.
        var bundleRequests = 0;
        var heldAt = 2 + (PerGroup * 2 - 2) / 2 + 1;
        var hold = stack.DeviceProxy.HoldRequest(r => IsBundle(r) && Interlocked.Increment(ref bundleRequests) == heldAt);
        var deltaBefore = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"delta\"");
        fullBefore = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"");
        var good = await DeployAsync(api, new
        {
            releaseId = v3, target = new { groups = Groups }, canary = 2, waves = new[] { "50%", "100%" }, soak = "2s",
            halt = new { failures = 1 }, deviceTimeout = "2m",
        });
        await hold.Reached.WaitAsync(Deadline);
        JsonElement atKill = default;
        await Wait.UntilAsync(async () =>
        {
            atKill = await api.GetAsync("api/v1/deployments/" + good);
            var wave = atKill.GetProperty("waves")[atKill.GetProperty("wave").GetInt32()];
            return wave.GetProperty("trial").GetInt32() >= 1 && wave.GetProperty("downloading").GetInt32() >= 1;
        }, "a device of the held device's wave on trial", Deadline, TimeSpan.FromMilliseconds(100));
        var deltaBeforeKill = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"delta\"") - deltaBefore;
        var fullBeforeKill = await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\"") - fullBefore;
        var waveAtKill = atKill.GetProperty("wave").GetInt32();
        Assert.True(waveAtKill >= 1, $"the held download should be past the canaries: {atKill}");
        await stack.Server.KillAsync();
        hold.Drop();
        await stack.Server.StartAsync();
        Step($"server killed in wave {waveAtKill} ({Waves(atKill)}) and restarted");

        // It goes on from where it was: the same wave (or later), every device that had finished still finished.
        var resumed = await api.GetAsync("api/v1/deployments/" + good);
        Assert.True(resumed.GetProperty("wave").GetInt32() >= waveAtKill, $"the rollout went back to an earlier wave: {resumed}");
        var finishedAtKill = Devices(atKill).Where(d => d.State == "succeeded").Select(d => d.Id).ToList();
        Assert.All(finishedAtKill, id => Assert.Equal("succeeded", Devices(resumed).Single(d => d.Id == id).State));
        var completed = await SettledAsync(api, good, "completed");
        Assert.All(Devices(completed), d => Assert.Equal(("succeeded", 1), (d.State, d.Attempts)));
        foreach (var fleet in fleets)
            await fleet.WaitForAsync(c => c.Of(V3) == (PerGroup, 0, 0) && c.Of(V1).Confirmed == 0, $"{V3} confirmed on every device", Deadline);
        await ServerSeesAsync(api, members.Keys, V3);

        // As deltas from v1: no full bundle at all, and far fewer bytes than v1's full bundles (both server lives counted).
        var deltaV3 = deltaBeforeKill + await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"delta\"");
        Assert.Equal(0, fullBeforeKill + await stack.MetricAsync("atym_ota_bundle_bytes_total", "kind=\"full\""));
        Assert.True(deltaV3 > 0 && deltaV3 * 4 < fullV1, $"v3's delta bytes ({deltaV3:0}) should be far fewer than v1's full bytes ({fullV1:0})");

        // No device's trial was restarted or counted twice: one offer, at most one on-trial, one confirmation each, nothing
        // failed or retried; every wave started once; the devices ran one trial of v3 each.
        var records = (await api.AuditAsync()).Where(e => Subject(e) == $"deployment/{good}" || Subject(e).StartsWith($"deployment/{good}/", StringComparison.Ordinal)).ToList();
        foreach (var id in members.Keys)
        {
            var mine = records.Where(e => Subject(e) == $"deployment/{good}/device/{id}").Select(Action).ToList();
            Assert.True(Count(mine, "rollout.device-offered") == 1 && Count(mine, "rollout.device-confirmed") == 1 && Count(mine, "rollout.device-on-trial") <= 1
                && !mine.Any(a => a is "rollout.device-failed" or "rollout.device-retry-scheduled"), $"{id}: {string.Join(", ", mine)}");
        }
        var decisions = records.Where(e => Subject(e) == $"deployment/{good}").Select(Action).ToList();
        Assert.Equal(completed.GetProperty("waveCount").GetInt32() - 1, Count(decisions, "rollout.wave-started"));
        Assert.Equal((1, 1), (Count(decisions, "rollout.started"), Count(decisions, "rollout.completed")));
        logs = fleets.SelectMany(f => f.DeviceLogs()).ToDictionary();
        Assert.All(logs, l => Assert.True(Regex.Count(l.Value, Regex.Escape($"trial of {V3} passed: confirmed")) == 1 && !l.Value.Contains($"trial of {V3} interrupted", StringComparison.Ordinal),
            $"{l.Key} should have run one trial of {V3}:\n{l.Value}"));
        Step($"{V3} on all 20 ({deltaV3:0} delta bytes)");

        foreach (var fleet in fleets) await fleet.StopAsync();
    }

    private void Step(string what) => output.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.f}] {what}");

    /// <summary>POST /api/v1/deployments → the deployment's id.</summary>
    private static async Task<string> DeployAsync(OperatorApi api, object request) =>
        (await api.PostAsync("api/v1/deployments", request)).GetProperty("id").GetString()!;

    /// <summary>Waits (bounded) until the deployment's status is <paramref name="status"/>; fails at once on another final status.</summary>
    private async Task<JsonElement> SettledAsync(OperatorApi api, string id, string status)
    {
        JsonElement view = default;
        try
        {
            await Wait.UntilAsync(async () =>
            {
                view = await api.GetAsync("api/v1/deployments/" + id);
                var now = view.GetProperty("status").GetString();
                return now == status || (now is "completed" or "halted" or "cancelled" or "rolled-back" or "ended"
                    ? throw new InvalidOperationException($"deployment {id} is {now}, expected {status}: {view}") : false);
            }, $"deployment {id} {status}", Deadline, Every);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last seen: {view}", e);
        }
        return view;
    }

    private static List<(string Id, int Wave, string State, int Attempts)> Devices(JsonElement deployment) =>
        [.. deployment.GetProperty("devices").EnumerateArray().Select(d =>
            (d.GetProperty("deviceId").GetString()!, d.GetProperty("wave").GetInt32(), d.GetProperty("state").GetString()!, d.GetProperty("attempts").GetInt32()))];

    private static string Waves(JsonElement deployment) => string.Join("; ", deployment.GetProperty("waves").EnumerateArray().Select(w =>
        $"{w.GetProperty("name").GetString()}: {w.GetProperty("confirmed").GetInt32()} confirmed, {w.GetProperty("trial").GetInt32()} trial, " +
        $"{w.GetProperty("downloading").GetInt32()} downloading, {w.GetProperty("pending").GetInt32()} pending"));

    private static async Task<List<string>> GroupAsync(OperatorApi api, string group) =>
        [.. (await api.GetAsync($"api/v1/devices?group={group}&limit=1000")).EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];

    /// <summary>Waits (bounded) until the server's last report of every device shows <paramref name="version"/> confirmed.</summary>
    private async Task ServerSeesAsync(OperatorApi api, IEnumerable<string> devices, string version)
    {
        var ids = devices.ToHashSet(StringComparer.Ordinal);
        await Wait.UntilAsync(async () =>
        {
            var seen = new List<JsonElement>();
            foreach (var group in Groups) seen.AddRange((await api.GetAsync($"api/v1/devices?group={group}&limit=1000")).EnumerateArray());
            return seen.Where(d => ids.Contains(d.GetProperty("id").GetString()!)).Count(d => Confirmed(d) == version) == ids.Count;
        }, $"the server to show {version} confirmed on every device", Deadline, Every);

        static string? Confirmed(JsonElement d) => d.GetProperty("lastReport") is { ValueKind: JsonValueKind.Object } r
            ? r.GetProperty("containers").EnumerateArray().Where(c => c.GetProperty("name").GetString() == OtaStack.Container)
                .Select(c => c.GetProperty("confirmed").GetString()).FirstOrDefault()
            : null;
    }

    private async Task<double> PollCountAsync() =>
        await stack.MetricAsync("atym_ota_polls_total", "result=\"changed\"") + await stack.MetricAsync("atym_ota_polls_total", "result=\"not-modified\"");

    /// <summary>The device and the container versions a poll answer's signed director targets name (none without targets).</summary>
    private static IEnumerable<(string DeviceId, string Version)> DirectorTargets(ProxiedAnswer answer)
    {
        if (PollAnswer.Parse(answer.Body).DirectorTargets is not { } bytes) yield break;
        var targets = SignedMetadata<TargetsMetadata>.Parse(bytes).Signed;
        var device = DirectorDocumentCustom.FromJson(targets.Custom, "$.signed.custom").DeviceId;
        foreach (var (path, target) in targets.Targets)
            yield return (device, DirectorTargetCustom.FromJson(target.Custom, path).Release.Version);
    }

    private static string Action(JsonElement entry) => entry.GetProperty("action").GetString()!;

    private static string Subject(JsonElement entry) => entry.GetProperty("subject").GetString()!;

    private static int Count(IEnumerable<string> actions, string action) => actions.Count(a => a == action);
}
