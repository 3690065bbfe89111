using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaReleases.Jobs;
using AtymSecure.OtaReleases.Tests.Support;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.LiteDb;
using AtymSecure.OtaStore.Postgres;
using AtymSecure.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaReleases.Tests.Jobs;

/// <summary>
/// Metadata re-signing across replicas (issue 17 §2): two <see cref="ResignReplica"/>s — each its own image repository,
/// job queue, connection pool and re-signing service — on one real PostgreSQL database and one data folder, on fake
/// clocks (the test moves time; no sleeps). A due round is re-signed once, and the claims ledger says so; a holder that
/// dies mid-round loses the round to its peer after the lease, and its late write is refused. LiteDB, one process, still
/// re-signs through its queue.
/// </summary>
public sealed class MetadataResignJobReplicaTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 0, 0, 0, TimeSpan.Zero);
    private static readonly JobQueueOptions Options = new() { Lease = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromSeconds(1) };

    private readonly TempFolder _data = TempFolder.Create("resign-replicas");

    public MetadataResignJobReplicaTests() => ResignReplica.Bootstrap(_data.Path, new FakeTimeProvider(Start));

    public void Dispose() => _data.Dispose();

    private MetadataFolder Folder => new(Path.Combine(_data.Path, "tuf", "image", "metadata"));

    private long PublishedTimestamp => PublishedImageRepository.ReadTimestamp(Folder)!.Signed.Version;

    private long PublishedSnapshot => PublishedImageRepository.Load(Folder).Snapshot!.Signed.Version;

    private static Task PassAsync(ResignReplica replica, int after) => Wait.UntilAsync(() => replica.Service.Passes > after, "a re-signing pass");

    [Fact]
    [Trait("Requires", "postgres")]
    public async Task A_due_round_is_re_signed_once_by_two_replicas_and_the_ledger_shows_one_succeeded_claim()
    {
        using var db = new SharedDatabase("resign_once");
        var clock = new FakeTimeProvider(Start);
        await using var a = new ResignReplica(_data.Path, db.Store(), clock, "replica-a", Options);
        await using var b = new ResignReplica(_data.Path, db.Store(), clock, "replica-b", Options);
        await a.StartAsync();
        await b.StartAsync();
        await PassAsync(a, 0);
        await PassAsync(b, 0);
        Assert.Equal((1, 1), (PublishedTimestamp, PublishedSnapshot));
        Assert.Empty(await db.Store().ListClaimsAsync()); // nothing due at start: no round

        var (passesA, passesB) = (a.Service.Passes, b.Service.Passes);
        clock.Advance(TimeSpan.FromHours(12)); // the timestamp is due on both replicas at once
        await PassAsync(a, passesA);
        await PassAsync(b, passesB);
        var store = db.Store();
        await Wait.UntilAsync(() => store.GetAsync("job-resign-t1").Result is { IsFinished: true }, "the round's job to finish");

        Assert.Equal((2, 1), (PublishedTimestamp, PublishedSnapshot)); // one new timestamp, nothing else
        var job = (await store.GetAsync("job-resign-t1"))!;
        Assert.Equal((JobState.Succeeded, "timestamp", 1), (job.State, job.ResultId, job.Attempts));
        var claim = Assert.Single(await store.ListClaimsAsync());
        Assert.Equal(("job-resign-t1", JobClaimOutcomes.Succeeded), (claim.JobId, claim.Outcome));
        Assert.Contains(claim.ReplicaId, new[] { "replica-a", "replica-b" });
        Assert.Empty(await store.ListUnfinishedAsync());

        // The next looks on both replicas (within the hour at the latest) find nothing due: still one claim.
        (passesA, passesB) = (a.Service.Passes, b.Service.Passes);
        clock.Advance(OtaMetadata.Resigning.MetadataResigningService.MaxWait);
        await PassAsync(a, passesA);
        await PassAsync(b, passesB);
        Assert.Single(await store.ListClaimsAsync());
        Assert.Equal(2, PublishedTimestamp);
        Assert.Equal(2, a.Repository.Published.Timestamp!.Signed.Version); // both read what the other wrote
        Assert.Equal(2, b.Repository.Published.Timestamp!.Signed.Version);
    }

    [Fact]
    [Trait("Requires", "postgres")]
    public async Task A_holder_killed_mid_round_loses_it_to_the_peer_after_the_lease_and_its_late_write_does_not_replace_the_newer_timestamp()
    {
        using var db = new SharedDatabase("resign_takeover");
        var due = Start.AddHours(12);
        var frozen = new FakeTimeProvider(due); // replica a's clock stands still once it holds the round: it never renews
        var live = new FakeTimeProvider(due);
        StallingTimestampKeys? stalling = null;
        RecordingHandler? recording = null;
        await using var a = new ResignReplica(_data.Path, db.Store(), frozen, "replica-a", Options,
            keys: inner => stalling = new StallingTimestampKeys(inner), handler: inner => recording = new RecordingHandler(inner));
        stalling!.Arm();
        await a.StartAsync();
        await stalling.Stalled.Task.WaitAsync(TimeSpan.FromSeconds(30)); // a claimed the round, read the folder, is signing timestamp 2
        await a.AbandonAsync(); // and dies there: no renewal, no end of its claim

        var store = db.Store();
        await using var b = new ResignReplica(_data.Path, db.Store(), live, "replica-b", Options);
        await b.StartAsync();
        await PassAsync(b, 0);
        Assert.Null(await store.TryClaimAsync("probe", due.AddSeconds(9), Options.Lease)); // within a's lease: held
        Assert.Equal(1, PublishedTimestamp);

        live.Advance(Options.Lease + TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => store.GetAsync("job-resign-t1").Result is { IsFinished: true }, "replica b to take the round over and finish it");
        Assert.Equal(2, PublishedTimestamp);
        var published = Folder.Read(ImageRepository.TimestampFile)!;

        stalling.Release(); // a's stalled thread wakes and writes what it had prepared: timestamp 2, signed by a
        var late = await recording!.Threw.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var conflict = Assert.IsType<MetadataVersionConflictException>(Assert.IsType<TransientJobException>(late).InnerException);
        Assert.Equal("2.timestamp.json", conflict.File); // the version was b's: a's write was refused
        Assert.Equal(published, Folder.Read(ImageRepository.TimestampFile)); // b's timestamp stays, byte for byte
        Assert.Equal(published, Folder.Read("2.timestamp.json"));
        Assert.Equal([1L, 2L], Folder.Versions("timestamp"));
        var job = (await store.GetAsync("job-resign-t1"))!;
        Assert.Equal((JobState.Succeeded, "timestamp", 2), (job.State, job.ResultId, job.Attempts));
        Assert.Equal([(1, "replica-a", JobClaimOutcomes.Expired), (2, "replica-b", JobClaimOutcomes.Succeeded)],
            (await store.ListClaimsAsync()).Select(c => (c.Attempt, c.ReplicaId, c.Outcome)));
    }

    [Fact]
    public async Task On_LiteDB_one_server_still_re_signs_through_its_queue()
    {
        using var database = new OtaDatabase(_data.Path);
        var store = new LiteDbJobStore(database);
        var clock = new FakeTimeProvider(Start);
        await using var server = new ResignReplica(_data.Path, store, clock, "only", Options);
        await server.StartAsync();
        await PassAsync(server, 0);

        for (var round = 1; round <= 7; round++) // 3.5 days: six timestamp rounds, then compiler + snapshot + timestamp
        {
            var passes = server.Service.Passes;
            clock.Advance(TimeSpan.FromHours(12));
            await PassAsync(server, passes);
            var id = $"job-resign-t{round}";
            await Wait.UntilAsync(() => store.GetAsync(id).Result is { IsFinished: true }, $"round {round}");
            Assert.Equal(JobState.Succeeded, (await store.GetAsync(id))!.State);
        }

        Assert.Equal((8, 2), (PublishedTimestamp, PublishedSnapshot));
        Assert.Equal("compiler-linux-x86_64,snapshot,timestamp", (await store.GetAsync("job-resign-t7"))!.ResultId);
        Assert.Equal(2, server.Repository.Published.Delegated["compiler-linux-x86_64"].Signed.Version);
        var claims = await store.ListClaimsAsync();
        Assert.Equal(7, claims.Count);
        Assert.All(claims, c => Assert.Equal(JobClaimOutcomes.Succeeded, c.Outcome));
    }

    /// <summary>A database on the shared PostgreSQL server; each <see cref="Store"/> is a replica's own connection pool.</summary>
    private sealed class SharedDatabase(string purpose) : IDisposable
    {
        private readonly string _name = PostgresServer.Shared.CreateDatabase(purpose);
        private readonly List<PostgresDatabase> _pools = [];

        public PostgresJobStore Store()
        {
            var pool = new PostgresDatabase(PostgresServer.Shared.ConnectionString(_name));
            _pools.Add(pool);
            return new PostgresJobStore(pool);
        }

        public void Dispose()
        {
            foreach (var pool in _pools) pool.Dispose();
            PostgresServer.Shared.DropDatabase(_name);
        }
    }
}
