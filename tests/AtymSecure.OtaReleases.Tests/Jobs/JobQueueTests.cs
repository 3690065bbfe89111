using AtymSecure.OtaReleases.Jobs;
using AtymSecure.OtaStore;
using AtymSecure.OtaStore.LiteDb;
using AtymSecure.Primitives;
using AtymSecure.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace AtymSecure.OtaReleases.Tests.Jobs;

/// <summary><see cref="JobQueue"/> over the LiteDB store it shares with the test, on a fake clock (no sleeps: the test moves time).</summary>
public sealed class JobQueueTests : IDisposable
{
    private readonly TempFolder _folder = TempFolder.Create("job-queue");
    private readonly OtaDatabase _database;
    private readonly LiteDbJobStore _store;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero));

    public JobQueueTests()
    {
        _database = new OtaDatabase(_folder.Path);
        _store = new LiteDbJobStore(_database);
    }

    public void Dispose()
    {
        _database.Dispose();
        _folder.Dispose();
    }

    private async Task<Job> WaitForAsync(string id, Func<Job, bool> condition, string what)
    {
        await Wait.UntilAsync(() => _store.GetAsync(id).Result is { } j && condition(j), what);
        return (await _store.GetAsync(id))!;
    }

    [Fact]
    public async Task A_job_is_stored_before_it_runs_and_its_progress_and_result_are_visible()
    {
        var handler = new ScriptedHandler();
        using var queue = new JobQueue(_store, [handler], _time);
        var job = await queue.EnqueueAsync(ScriptedHandler.JobKind, "{\"n\":1}");
        Assert.Equal(JobState.Queued, (await _store.GetAsync(job.Id))!.State); // persisted before any worker runs

        await queue.StartAsync(CancellationToken.None);
        var running = await WaitForAsync(job.Id, j => j.Progress == "step 1", "the first step to be recorded");
        Assert.Equal((JobState.Running, 1), (running.State, running.Attempts));
        handler.Release();
        var done = await WaitForAsync(job.Id, j => j.IsFinished, "the job to finish");
        await queue.StopAsync(CancellationToken.None);

        Assert.Equal((JobState.Succeeded, "result-{\"n\":1}", (JobError?)null), (done.State, done.ResultId, done.Error));
    }

    [Fact]
    public async Task A_job_found_running_at_start_was_cut_off_by_a_crash_and_runs_again()
    {
        var at = _time.GetUtcNow();
        // What a kill -9 mid-step leaves in the store: the job marked running, attempt 1, its last step.
        await _store.AddAsync(new Job("job-00000000000000aa", ScriptedHandler.JobKind, "{}", JobState.Running, 1, at, at, at, "step 1"));
        var handler = new ScriptedHandler();
        handler.Release();
        using var queue = new JobQueue(_store, [handler], _time);
        await queue.StartAsync(CancellationToken.None);
        var done = await WaitForAsync("job-00000000000000aa", j => j.IsFinished, "the resumed job to finish");
        await queue.StopAsync(CancellationToken.None);

        Assert.Equal((JobState.Succeeded, 2), (done.State, done.Attempts));
        Assert.Equal(1, handler.Runs);
        // The ledger: the cut-off attempt closed as expired (one process owns a LiteDB file), the resumed one succeeded.
        Assert.Equal([(1, "unknown", JobClaimOutcomes.Expired), (2, queue.ReplicaId, JobClaimOutcomes.Succeeded)],
            (await _store.ListClaimsAsync(done.Id)).Select(c => (c.Attempt, c.ReplicaId, c.Outcome)));
    }

    [Fact]
    public async Task A_transient_failure_keeps_the_error_visible_and_retries_with_exponential_backoff_until_it_succeeds()
    {
        var handler = new ScriptedHandler { TransientFailures = 2 };
        handler.Release();
        using var queue = new JobQueue(_store, [handler], _time, new JobQueueOptions { FirstRetryDelay = TimeSpan.FromSeconds(2) });
        await queue.StartAsync(CancellationToken.None);
        var job = await queue.EnqueueAsync(ScriptedHandler.JobKind, "{}");

        var first = await WaitForAsync(job.Id, j => j.State == JobState.Queued && j.Attempts == 1, "the first retry to be scheduled");
        Assert.Equal(new JobError("registry-unavailable", "scripted: registry down", true), first.Error);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(2), first.NextAttemptAt);
        _time.Advance(TimeSpan.FromSeconds(2));
        var second = await WaitForAsync(job.Id, j => j.State == JobState.Queued && j.Attempts == 2, "the second retry to be scheduled");
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromSeconds(4), second.NextAttemptAt);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(2, (await _store.GetAsync(job.Id))!.Attempts); // not due yet
        _time.Advance(TimeSpan.FromSeconds(1));
        var done = await WaitForAsync(job.Id, j => j.IsFinished, "the job to succeed");
        await queue.StopAsync(CancellationToken.None);

        Assert.Equal((JobState.Succeeded, 3, (JobError?)null), (done.State, done.Attempts, done.Error));
        Assert.Equal([JobClaimOutcomes.Retry, JobClaimOutcomes.Retry, JobClaimOutcomes.Succeeded], (await _store.ListClaimsAsync(job.Id)).Select(c => c.Outcome));
    }

    [Fact]
    public async Task A_refusal_fails_the_job_with_its_problem_and_so_do_transient_failures_once_attempts_run_out()
    {
        var refusing = new ScriptedHandler { Refusal = new ProblemException("release refused", new Problem("container-untrusted", "$.reference", "not signed")) };
        refusing.Release();
        using (var queue = new JobQueue(_store, [refusing], _time))
        {
            await queue.StartAsync(CancellationToken.None);
            var job = await queue.EnqueueAsync(ScriptedHandler.JobKind, "{}");
            var failed = await WaitForAsync(job.Id, j => j.IsFinished, "the refused job to fail");
            await queue.StopAsync(CancellationToken.None);
            Assert.Equal((JobState.Failed, "container-untrusted", false), (failed.State, failed.Error!.Code, failed.Error.Transient));
            Assert.Contains("not signed", failed.Error.Message, StringComparison.Ordinal);
        }

        var down = new ScriptedHandler { TransientFailures = int.MaxValue };
        down.Release();
        using (var queue = new JobQueue(_store, [down], _time, new JobQueueOptions { MaxAttempts = 2, FirstRetryDelay = TimeSpan.FromSeconds(1) }))
        {
            await queue.StartAsync(CancellationToken.None);
            var job = await queue.EnqueueAsync(ScriptedHandler.JobKind, "{}");
            await WaitForAsync(job.Id, j => j.State == JobState.Queued && j.Attempts == 1, "the retry to be scheduled");
            _time.Advance(TimeSpan.FromSeconds(1));
            var failed = await WaitForAsync(job.Id, j => j.IsFinished, "the job to give up");
            await queue.StopAsync(CancellationToken.None);
            Assert.Equal((JobState.Failed, 2, true), (failed.State, failed.Attempts, failed.Error!.Transient));
            Assert.Contains("gave up after 2 attempts", failed.Error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Stopping_the_server_mid_job_leaves_it_queued_for_the_next_start()
    {
        var handler = new ScriptedHandler();
        using var queue = new JobQueue(_store, [handler], _time);
        await queue.StartAsync(CancellationToken.None);
        var job = await queue.EnqueueAsync(ScriptedHandler.JobKind, "{}");
        await WaitForAsync(job.Id, j => j.Progress == "step 1", "the job to start");
        await queue.StopAsync(CancellationToken.None);

        var stopped = (await _store.GetAsync(job.Id))!;
        Assert.Equal((JobState.Queued, (string?)null, (DateTimeOffset?)null), (stopped.State, stopped.ClaimedBy, stopped.LeaseUntil));
        Assert.Contains("interrupted by shutdown", stopped.Progress, StringComparison.Ordinal);
        Assert.Equal([JobClaimOutcomes.Interrupted], (await _store.ListClaimsAsync(job.Id)).Select(c => c.Outcome));
    }

    /// <summary>Records "step 1", waits for <see cref="Release"/>, then fails as scripted or returns a result.</summary>
    private sealed class ScriptedHandler : IJobHandler
    {
        public const string JobKind = "scripted";
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _runs;

        public string Kind => JobKind;

        public int TransientFailures { get; set; }

        public ProblemException? Refusal { get; init; }

        public int Runs => _runs;

        public void Release() => _gate.TrySetResult();

        public async Task<string> RunAsync(Job job, Func<string, Task> progress, CancellationToken ct)
        {
            await progress("step 1");
            await _gate.Task.WaitAsync(ct);
            if (Refusal is not null) throw Refusal;
            if (TransientFailures-- > 0) throw new TransientJobException(new Problem("registry-unavailable", "$.reference", "scripted: registry down"));
            Interlocked.Increment(ref _runs);
            return "result-" + job.Request;
        }
    }
}
