namespace AtymSecure.OtaStore.Tests.Contract;

/// <summary>
/// What every <see cref="IJobStore"/> must do about claims (<see cref="IJobStore.TryClaimAsync"/>): one job held at a time,
/// oldest first, a lapsed lease taken over and closed in the ledger as expired, writes fenced to the current claim.
/// <paramref name="claimsEndWithTheProcess"/>: the store is opened by one process only (LiteDB's lock file), so a claim
/// granted before a reopen belongs to a process that is gone and is taken over at once; a shared store (PostgreSQL)
/// waits for the lease, since the holder may be a live peer.
/// </summary>
public abstract class JobClaimsContract(IReleaseStoresFixture fixture, bool claimsEndWithTheProcess) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 4, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private readonly IJobStore _jobs = fixture.Open().Jobs;

    public void Dispose()
    {
        fixture.Dispose();
        GC.SuppressFinalize(this);
    }

    private static Job Queued(int n, int secondsAfterT0 = 0) =>
        new($"job-{n:x16}", "release-import", "{}", JobState.Queued, 0, T0.AddSeconds(secondsAfterT0), T0, T0.AddSeconds(secondsAfterT0));

    [Fact]
    public async Task The_oldest_due_job_is_claimed_one_at_a_time_and_its_claim_is_in_the_ledger()
    {
        await _jobs.AddAsync(Queued(2, secondsAfterT0: 1));
        await _jobs.AddAsync(Queued(1));
        await _jobs.AddAsync(Queued(3, secondsAfterT0: 2) with { NextAttemptAt = T0.AddMinutes(5) }); // a retry not due yet

        var first = await _jobs.TryClaimAsync("replica-a", T0.AddSeconds(3), Lease);
        Assert.Equal(("job-0000000000000001", JobState.Running, 1, "replica-a", T0.AddSeconds(13)),
            (first!.Id, first.State, first.Attempts, first.ClaimedBy, first.LeaseUntil));
        Assert.Null(await _jobs.TryClaimAsync("replica-b", T0.AddSeconds(4), Lease)); // one job held at a time, across replicas
        Assert.Equal(first, await _jobs.GetAsync(first.Id));

        Assert.True(await _jobs.TryFinishClaimAsync(first, first with { State = JobState.Succeeded, ResultId = "rel-1", ClaimedBy = null, LeaseUntil = null },
            JobClaimOutcomes.Succeeded, T0.AddSeconds(5)));
        var second = await _jobs.TryClaimAsync("replica-b", T0.AddSeconds(6), Lease);
        Assert.Equal(("job-0000000000000002", "replica-b"), (second!.Id, second.ClaimedBy));
        Assert.Equal(
            [new JobClaimRecord(first.Id, 1, "replica-a", T0.AddSeconds(3), T0.AddSeconds(5), JobClaimOutcomes.Succeeded),
             new JobClaimRecord(second.Id, 1, "replica-b", T0.AddSeconds(6))],
            await _jobs.ListClaimsAsync());
        Assert.Equal([new JobClaimRecord(second.Id, 1, "replica-b", T0.AddSeconds(6))], await _jobs.ListClaimsAsync(second.Id));
    }

    [Fact]
    public async Task A_lease_that_lapses_is_taken_over_and_the_old_holders_writes_are_refused()
    {
        await _jobs.AddAsync(Queued(1));
        var a = (await _jobs.TryClaimAsync("replica-a", T0, Lease))!;
        var renewed = a with { Progress = "compiling (1/2)", LeaseUntil = T0.AddSeconds(15) };
        Assert.True(await _jobs.TryUpdateClaimedAsync(renewed));
        Assert.Null(await _jobs.TryClaimAsync("replica-b", T0.AddSeconds(12), Lease)); // renewed: still held

        var b = (await _jobs.TryClaimAsync("replica-b", T0.AddSeconds(16), Lease))!; // replica-a stopped renewing (killed)
        Assert.Equal((2, "replica-b"), (b.Attempts, b.ClaimedBy));
        Assert.Contains("taken over from replica-a", b.Progress, StringComparison.Ordinal);
        Assert.False(await _jobs.TryUpdateClaimedAsync(renewed with { Progress = "compiling (2/2)" }));
        Assert.False(await _jobs.TryFinishClaimAsync(renewed, renewed with { State = JobState.Succeeded, ResultId = "late" }, JobClaimOutcomes.Succeeded, T0.AddSeconds(17)));
        Assert.Equal(b, await _jobs.GetAsync(b.Id));

        Assert.True(await _jobs.TryFinishClaimAsync(b, b with { State = JobState.Succeeded, ResultId = "rel-1", ClaimedBy = null, LeaseUntil = null },
            JobClaimOutcomes.Succeeded, T0.AddSeconds(18)));
        var ledger = await _jobs.ListClaimsAsync(b.Id);
        Assert.Equal(
            [new JobClaimRecord(b.Id, 1, "replica-a", T0, T0.AddSeconds(16), JobClaimOutcomes.Expired),
             new JobClaimRecord(b.Id, 2, "replica-b", T0.AddSeconds(16), T0.AddSeconds(18), JobClaimOutcomes.Succeeded)],
            ledger);
        Assert.Equal("rel-1", (await _jobs.GetAsync(b.Id))!.ResultId);
        Assert.Null(await _jobs.TryClaimAsync("replica-a", T0.AddSeconds(19), Lease));
    }

    [Fact]
    public async Task A_retry_queues_the_job_again_and_the_next_claim_is_a_new_attempt()
    {
        await _jobs.AddAsync(Queued(1));
        var a = (await _jobs.TryClaimAsync("replica-a", T0, Lease))!;
        Assert.True(await _jobs.TryFinishClaimAsync(a, a with { State = JobState.Queued, NextAttemptAt = T0.AddSeconds(30), ClaimedBy = null, LeaseUntil = null },
            JobClaimOutcomes.Retry, T0.AddSeconds(1)));
        Assert.Null(await _jobs.TryClaimAsync("replica-b", T0.AddSeconds(29), Lease));
        var b = (await _jobs.TryClaimAsync("replica-b", T0.AddSeconds(30), Lease))!;
        Assert.Equal(2, b.Attempts);
        Assert.Equal([JobClaimOutcomes.Retry, null], (await _jobs.ListClaimsAsync()).Select(c => c.Outcome));
    }

    [Fact]
    public async Task A_claim_made_before_a_restart_is_taken_over_at_once_only_by_a_store_one_process_owns()
    {
        await _jobs.AddAsync(Queued(1));
        var a = (await _jobs.TryClaimAsync("replica-a", T0, Lease))!;
        var reopened = fixture.Reopen().Jobs;

        var early = await reopened.TryClaimAsync("replica-a2", T0.AddSeconds(1), Lease);
        if (claimsEndWithTheProcess)
        {
            Assert.Equal((2, "replica-a2"), (early!.Attempts, early.ClaimedBy));
        }
        else
        {
            Assert.Null(early); // the holder may be a live peer: its lease stands
            Assert.Equal(2, (await reopened.TryClaimAsync("replica-b", T0.AddSeconds(11), Lease))!.Attempts);
        }
        Assert.Equal(JobClaimOutcomes.Expired, (await reopened.ListClaimsAsync(a.Id))[0].Outcome);
    }

    [Fact]
    public async Task Claims_racing_from_two_replicas_grant_each_attempt_once()
    {
        for (var n = 1; n <= 6; n++) await _jobs.AddAsync(Queued(n, n));
        var claimed = new System.Collections.Concurrent.ConcurrentBag<Job>();
        var at = T0.AddSeconds(10);
        async Task Replica(string name)
        {
            for (var round = 0; round < 40 && claimed.Count < 6; round++)
            {
                if (await _jobs.TryClaimAsync(name, at, Lease) is { } job)
                {
                    claimed.Add(job);
                    Assert.True(await _jobs.TryFinishClaimAsync(job, job with { State = JobState.Succeeded, ClaimedBy = null, LeaseUntil = null },
                        JobClaimOutcomes.Succeeded, at));
                }
                else await Task.Yield();
            }
        }
        await Task.WhenAll(Task.Run(() => Replica("replica-a")), Task.Run(() => Replica("replica-b")));

        Assert.Equal(6, claimed.Count);
        Assert.Equal(6, claimed.Select(j => j.Id).Distinct().Count());
        var ledger = await _jobs.ListClaimsAsync();
        Assert.Equal(Enumerable.Range(1, 6).Select(n => $"job-{n:x16}"), ledger.Select(c => c.JobId)); // oldest first, each once
        Assert.All(ledger, c => Assert.Equal((1, JobClaimOutcomes.Succeeded), (c.Attempt, c.Outcome)));
    }
}
