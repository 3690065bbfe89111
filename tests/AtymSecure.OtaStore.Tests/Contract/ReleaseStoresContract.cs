using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.OtaStore.Tests.Contract;

/// <summary>One implementation of the releases library's stores: fresh per <see cref="Open"/>, the same data after <see cref="Reopen"/>.</summary>
public interface IReleaseStoresFixture : IDisposable
{
    (IReleaseStore Releases, IJobStore Jobs, IAssignmentStore Assignments) Open();

    (IReleaseStore Releases, IJobStore Jobs, IAssignmentStore Assignments) Reopen();
}

/// <summary>What every <see cref="IReleaseStore"/>, <see cref="IJobStore"/> and <see cref="IAssignmentStore"/> must do.</summary>
public abstract class ReleaseStoresContract(IReleaseStoresFixture fixture) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    private readonly (IReleaseStore Releases, IJobStore Jobs, IAssignmentStore Assignments) _stores = fixture.Open();

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    private static string Sha(string seed) => Digest.Compute(System.Text.Encoding.UTF8.GetBytes(seed)).ToString();

    internal static Release Sample(string container, string version, int minute, ulong counter = 1) =>
        new(Release.IdFor(Sha(container + version)), container, version, "127.0.0.1:5000/samples/" + container, Sha(container + version), Sha("wasm"),
            counter, counter > 1, T0.AddMinutes(minute), T0.AddDays(180),
            [new ReleaseImage("linux-x86_64", Sha("img" + version), 4096, ArtifactKind.WasmtimeNative, ["sensor.read", "log.write"], Sha("out"), Sha("ref"))],
            [new ReleaseClassFailure("mcu-cortex-m33", "compile-failed", "wasm2c missing")]);

    [Fact]
    public async Task A_release_round_trips_and_the_first_writer_of_an_id_wins()
    {
        var v1 = Sample("sensor-filter", "1.0.0", 0);
        Assert.Equal(v1, await _stores.Releases.AddOrGetAsync(v1));
        Assert.Equal(v1, await _stores.Releases.AddOrGetAsync(v1 with { SecurityCounter = 9 }));
        Assert.Equal(v1, await _stores.Releases.GetAsync(v1.Id));
        Assert.Null(await _stores.Releases.GetAsync("rel-0000000000000000"));
    }

    [Fact]
    public async Task The_signature_facts_round_trip_with_and_without_the_imports_policy_decision()
    {
        var undecided = Sample("sensor-filter", "1.0.0", 0) with
        {
            PolicyFacts = new ReleasePolicyFacts([new string('a', 64)], ["sbom", "slsa-provenance"], ["log"], 131072, 50),
        };
        var decided = Sample("sensor-filter", "1.1.0", 1) with
        {
            PolicyFacts = new ReleasePolicyFacts([new string('b', 64)], [], [], null, null, "trust/samples", Sha("policy")),
        };
        await _stores.Releases.AddOrGetAsync(undecided);
        await _stores.Releases.AddOrGetAsync(decided);

        var reopened = fixture.Reopen();
        Assert.Equal(undecided, await reopened.Releases.GetAsync(undecided.Id));
        Assert.Equal(decided, await reopened.Releases.GetAsync(decided.Id));
        Assert.Null((await reopened.Releases.GetAsync(undecided.Id))!.PolicyFacts!.ImportRule);
    }

    [Fact]
    public async Task Releases_list_oldest_first_per_container_and_survive_a_restart()
    {
        var b = Sample("sensor-filter", "1.1.0", 5, 2);
        var a = Sample("sensor-filter", "1.0.0", 1);
        var other = Sample("anomaly-detector", "1.0.0", 3);
        foreach (var r in new[] { b, a, other }) await _stores.Releases.AddOrGetAsync(r);
        var reopened = fixture.Reopen();
        Assert.Equal([a, b], await reopened.Releases.ListAsync("sensor-filter"));
        Assert.Equal([a, other, b], await reopened.Releases.ListAsync());
    }

    [Fact]
    public async Task Jobs_are_found_unfinished_until_they_finish_also_after_a_restart()
    {
        var queued = new Job("job-0000000000000001", "release-import", "{\"reference\":\"r\"}", JobState.Queued, 0, T0, T0, T0);
        var running = new Job("job-0000000000000002", "release-import", "{}", JobState.Running, 1, T0.AddSeconds(1), T0, T0, "compiling linux-x86_64 (1/1)",
            Error: new JobError("registry-unavailable", "down", true));
        await _stores.Jobs.AddAsync(queued);
        await _stores.Jobs.AddAsync(running);
        await Assert.ThrowsAsync<InvalidOperationException>(() => _stores.Jobs.AddAsync(queued));
        await _stores.Jobs.UpdateAsync(queued with { State = JobState.Succeeded, ResultId = "rel-1" });

        var reopened = fixture.Reopen();
        Assert.Equal([running], await reopened.Jobs.ListUnfinishedAsync());
        Assert.Equal(queued with { State = JobState.Succeeded, ResultId = "rel-1" }, await reopened.Jobs.GetAsync(queued.Id));
    }

    [Fact]
    public async Task An_assignment_replaces_the_devices_assignment_for_that_container_only()
    {
        var first = new Assignment("atym-a", "sensor-filter", "rel-1", T0, "tok1 ops");
        Assert.Null(await _stores.Assignments.SetAsync(first));
        Assert.Null(await _stores.Assignments.SetAsync(new Assignment("atym-a", "anomaly-detector", "rel-9", T0, "tok1 ops")));
        Assert.Equal(first, await _stores.Assignments.SetAsync(first with { ReleaseId = "rel-2" }));
        await _stores.Assignments.SetAsync(new Assignment("atym-b", "sensor-filter", "rel-2", T0, "tok1 ops"));

        var reopened = fixture.Reopen();
        Assert.Equal(["anomaly-detector/rel-9", "sensor-filter/rel-2"], (await reopened.Assignments.ListForDeviceAsync("atym-a")).Select(a => $"{a.Container}/{a.ReleaseId}"));
        Assert.Equal(["atym-a", "atym-b"], (await reopened.Assignments.ListAsync("rel-2")).Select(a => a.DeviceId));
        Assert.Equal(3, (await reopened.Assignments.ListAsync()).Count);
    }

    [Fact]
    public async Task A_devices_list_read_before_a_write_shows_the_write_at_once()
    {
        // The poll path lists a device's assignments on every poll; a store may keep them in memory, never stale.
        Assert.Empty(await _stores.Assignments.ListForDeviceAsync("atym-a"));
        var first = new Assignment("atym-a", "sensor-filter", "rel-1", T0, "tok1 ops");
        await _stores.Assignments.SetAsync(first);
        Assert.Equal([first], await _stores.Assignments.ListForDeviceAsync("atym-a"));
        await _stores.Assignments.SetAsync(first with { ReleaseId = "rel-2" });
        await _stores.Assignments.SetAsync(new Assignment("atym-b", "sensor-filter", "rel-3", T0, "tok1 ops"));
        Assert.Equal(["rel-2"], (await _stores.Assignments.ListForDeviceAsync("atym-a")).Select(a => a.ReleaseId));
        Assert.Equal(["rel-3"], (await _stores.Assignments.ListForDeviceAsync("atym-b")).Select(a => a.ReleaseId));
        Assert.Equal(["rel-2"], (await fixture.Reopen().Assignments.ListForDeviceAsync("atym-a")).Select(a => a.ReleaseId));
    }
}
