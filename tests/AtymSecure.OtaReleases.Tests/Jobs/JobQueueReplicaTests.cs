using System.Collections.Concurrent;
using AtymSecure.OtaReleases.Jobs;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.Postgres;
using AtymSecure.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaReleases.Tests.Jobs;

/// <summary>
/// Two <see cref="JobQueue"/> replicas, each with its own connection pool, on one real PostgreSQL database: every job runs
/// once, and a replica that stops renewing its claim has the job taken over by its live peer, whose result alone is stored.
/// The claims ledger is read back and asserted, not assumed.
/// </summary>
[Trait("Requires", "postgres")]
public sealed class JobQueueReplicaTests : IDisposable
{
    private readonly string _name = PostgresServer.Shared.CreateDatabase("job_replicas");
    private readonly PostgresDatabase _a, _b;

    public JobQueueReplicaTests()
    {
        _a = new PostgresDatabase(PostgresServer.Shared.ConnectionString(_name));
        _b = new PostgresDatabase(PostgresServer.Shared.ConnectionString(_name));
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        PostgresServer.Shared.DropDatabase(_name);
    }

    [Fact]
    public async Task Jobs_enqueued_on_both_replicas_each_run_exactly_once()
    {
        var runs = new ConcurrentDictionary<string, int>();
        var options = new JobQueueOptions { PollInterval = TimeSpan.FromMilliseconds(50) };
        using var a = new JobQueue(new PostgresJobStore(_a), [new CountingHandler(runs)], TimeProvider.System, options with { ReplicaId = "replica-a" });
        using var b = new JobQueue(new PostgresJobStore(_b), [new CountingHandler(runs)], TimeProvider.System, options with { ReplicaId = "replica-b" });
        await a.StartAsync(CancellationToken.None);
        await b.StartAsync(CancellationToken.None);
        var ids = new List<string>();
        for (var i = 0; i < 12; i++) ids.Add((await (i % 2 == 0 ? a : b).EnqueueAsync(CountingHandler.JobKind, $"{{\"n\":{i}}}")).Id);
        var store = new PostgresJobStore(_a);
        await Wait.UntilAsync(() => store.ListUnfinishedAsync().Result.Count == 0, "every job to finish");
        await a.StopAsync(CancellationToken.None);
        await b.StopAsync(CancellationToken.None);

        Assert.All(ids, id => Assert.Equal(1, runs[id]));
        var ledger = await store.ListClaimsAsync();
        Assert.Equal(ids, ledger.Select(c => c.JobId)); // one claim per job, oldest first
        Assert.All(ledger, c => Assert.Equal(JobClaimOutcomes.Succeeded, c.Outcome));
        Assert.All(ledger, c => Assert.Contains(c.ReplicaId, new[] { "replica-a", "replica-b" })); // which replica takes which is the race's
    }

    [Fact]
    public async Task A_replica_that_stops_renewing_loses_its_job_to_the_live_peer_and_its_late_result_is_refused()
    {
        var start = new DateTimeOffset(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);
        // Replica a's clock stands still: it never renews — what kill -9, a long GC pause or a partition look like to its peer.
        var frozen = new FakeTimeProvider(start);
        var live = new FakeTimeProvider(start);
        var options = new JobQueueOptions { Lease = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromSeconds(1) };
        var stalled = new BlockingHandler();
        var runs = new ConcurrentDictionary<string, int>();
        using var a = new JobQueue(new PostgresJobStore(_a), [stalled], frozen, options with { ReplicaId = "replica-a" });
        using var b = new JobQueue(new PostgresJobStore(_b), [new CountingHandler(runs, BlockingHandler.JobKind)], live, options with { ReplicaId = "replica-b" });
        var store = new PostgresJobStore(_b);
        await a.StartAsync(CancellationToken.None);
        var job = await a.EnqueueAsync(BlockingHandler.JobKind, "{}");
        await stalled.Started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await b.StartAsync(CancellationToken.None);

        Assert.Null(await store.TryClaimAsync("probe", start.AddSeconds(9), options.Lease)); // within the lease: held
        live.Advance(TimeSpan.FromSeconds(11)); // past the lease
        await Wait.UntilAsync(() => store.GetAsync(job.Id).Result is { IsFinished: true }, "replica b to take the job over and finish it");
        stalled.Release(); // replica a wakes up and tries to store its result
        await Wait.UntilAsync(() => stalled.Returned, "replica a's late attempt to end");
        await a.StopAsync(CancellationToken.None);
        await b.StopAsync(CancellationToken.None);

        var done = (await store.GetAsync(job.Id))!;
        Assert.Equal((JobState.Succeeded, $"counted-{job.Id}", 2), (done.State, done.ResultId, done.Attempts));
        Assert.Equal(1, runs[job.Id]);
        Assert.Equal([(1, "replica-a", JobClaimOutcomes.Expired), (2, "replica-b", JobClaimOutcomes.Succeeded)],
            (await store.ListClaimsAsync(job.Id)).Select(c => (c.Attempt, c.ReplicaId, c.Outcome)));
    }

    /// <summary>Counts runs per job id; succeeds at once.</summary>
    private sealed class CountingHandler(ConcurrentDictionary<string, int> runs, string kind = CountingHandler.JobKind) : IJobHandler
    {
        public const string JobKind = "counting";

        public string Kind => kind;

        public async Task<string> RunAsync(Job job, Func<string, Task> progress, CancellationToken ct)
        {
            await progress("counting");
            runs.AddOrUpdate(job.Id, 1, (_, n) => n + 1);
            return "counted-" + job.Id;
        }
    }

    /// <summary>Records a step, then blocks (ignoring cancellation, like a stuck process) until released; then returns a result.</summary>
    private sealed class BlockingHandler : IJobHandler
    {
        public const string JobKind = "blocking";
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile bool _returned;

        public string Kind => JobKind;

        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Returned => _returned;

        public void Release() => _gate.TrySetResult();

        public async Task<string> RunAsync(Job job, Func<string, Task> progress, CancellationToken ct)
        {
            await progress("step 1");
            Started.TrySetResult();
            await _gate.Task;
            _returned = true;
            return "late-" + job.Id;
        }
    }
}
