using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AtymSecure.OtaReleases.Jobs;

/// <summary>
/// The durable background queue release imports run in. A job is written to the store before
/// <see cref="EnqueueAsync"/> returns, and every state change is written before the next step, so the store is the
/// queue. Every server process sharing the store runs one worker; a worker runs a job only under a claim
/// (<see cref="IJobStore.TryClaimAsync"/>: one job at a time across all replicas, oldest first, as release counters are
/// allocated in that order), which is a lease it renews every third of <see cref="JobQueueOptions.Lease"/> and with every
/// step. A replica killed mid-job (kill -9) stops renewing; once the lease lapses a peer's worker takes the job over —
/// while the peer lives on, not only at a restart — and the ledger closes the dead claim as expired. Handlers are
/// idempotent, so running a job again loses and repeats nothing committed. A worker whose claim was taken over (it
/// stalled past its lease) is told by the store's refusal of its next write and abandons the attempt: its late result is
/// never stored. A <see cref="TransientJobException"/> (registry down) re-queues the job after an exponential backoff
/// (<see cref="JobQueueOptions"/>), keeping the error visible in the job; any other failure fails it with its problem.
/// Workers look for jobs queued by peers every <see cref="JobQueueOptions.PollInterval"/>. Time comes from the injected
/// <see cref="TimeProvider"/>.
/// </summary>
public sealed class JobQueue : BackgroundService
{
    /// <summary>Code of a job whose handler threw something unexpected (a bug, not a refusal).</summary>
    public const string InternalErrorCode = "internal-error";

    private readonly IJobStore _store;
    private readonly IReadOnlyDictionary<string, IJobHandler> _handlers;
    private readonly TimeProvider _time;
    private readonly JobQueueOptions _options;
    private readonly ILogger _log;
    private readonly SemaphoreSlim _wake = new(0);

    public JobQueue(IJobStore store, IEnumerable<IJobHandler> handlers, TimeProvider time, JobQueueOptions? options = null, ILogger<JobQueue>? log = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _handlers = (handlers ?? throw new ArgumentNullException(nameof(handlers))).ToDictionary(h => h.Kind, StringComparer.Ordinal);
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _options = options ?? new JobQueueOptions();
        _log = log ?? (ILogger)NullLogger.Instance;
        ReplicaId = _options.ReplicaId ?? JobQueueOptions.NewReplicaId();
    }

    /// <summary>Who this worker's claims name in the ledger.</summary>
    public string ReplicaId { get; }

    /// <summary>Persists a new queued job and wakes the worker.</summary>
    public async Task<Job> EnqueueAsync(string kind, string request, CancellationToken ct = default)
    {
        if (!_handlers.ContainsKey(kind)) throw new ArgumentException($"no handler for job kind '{kind}'", nameof(kind));
        var now = _time.GetUtcNow();
        var job = new Job(Job.NewId(), kind, request, JobState.Queued, 0, now, now, now);
        await _store.AddAsync(job, ct).ConfigureAwait(false);
        _wake.Release();
        return job;
    }

    /// <summary>
    /// Persists a queued job under the caller's <paramref name="id"/> unless a job of that id exists (whatever its state),
    /// and returns the stored one: how replicas that schedule the same work (a re-signing round) enqueue it once.
    /// </summary>
    public async Task<Job> EnqueueOnceAsync(string id, string kind, string request, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        if (!_handlers.ContainsKey(kind)) throw new ArgumentException($"no handler for job kind '{kind}'", nameof(kind));
        if (await _store.GetAsync(id, ct).ConfigureAwait(false) is { } existing) return existing;
        var now = _time.GetUtcNow();
        var job = new Job(id, kind, request, JobState.Queued, 0, now, now, now);
        try
        {
            await _store.AddAsync(job, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // a peer added it between the look and the insert: theirs is the job
            return await _store.GetAsync(id, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"job {id} exists but cannot be read");
        }
        _wake.Release();
        return job;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            DateTimeOffset wakeAt;
            try
            {
                if (await _store.TryClaimAsync(ReplicaId, _time.GetUtcNow(), _options.Lease, stoppingToken).ConfigureAwait(false) is { } claimed)
                {
                    if (claimed.Progress?.StartsWith("taken over", StringComparison.Ordinal) == true)
                        _log.LogInformation("Job {Job} ({Kind}) attempt {Attempt}: {Progress}", claimed.Id, claimed.Kind, claimed.Attempts, claimed.Progress);
                    await RunAsync(claimed, stoppingToken).ConfigureAwait(false);
                    continue;
                }
                wakeAt = await NextLookAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The store is unreachable (PostgreSQL restarting): the queue waits and looks again, it does not stop.
                _log.LogWarning(e, "job queue: the store failed; looking again in {Seconds} s", _options.PollInterval.TotalSeconds);
                wakeAt = _time.GetUtcNow() + _options.PollInterval;
            }
            await SleepAsync(wakeAt, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>When a claim may succeed: the next due retry, the lapse of a held lease, or the poll interval for jobs peers
    /// enqueue, whichever is first. An instant, not a delay: the store read takes time, and the clock may move meanwhile.</summary>
    private async Task<DateTimeOffset> NextLookAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var unfinished = await _store.ListUnfinishedAsync(ct).ConfigureAwait(false);
        var at = now + _options.PollInterval;
        foreach (var job in unfinished)
        {
            var due = job.State == JobState.Running ? job.LeaseUntil ?? now : job.NextAttemptAt;
            if (due < at) at = due;
        }
        return at;
    }

    /// <summary>Until woken by <see cref="EnqueueAsync"/> or the clock reaches <paramref name="wakeAt"/>. The delay is taken
    /// from the clock when the timer is made, and the clock is read again after: a clock that moved past the instant in
    /// between (a fake clock advanced by a test, a host suspended) does not leave the worker asleep for a stale delay.</summary>
    private async Task SleepAsync(DateTimeOffset wakeAt, CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var woken = _wake.WaitAsync(stop.Token);
        var delay = wakeAt - _time.GetUtcNow();
        var timer = Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, _time, stop.Token);
        try
        {
            if (_time.GetUtcNow() < wakeAt) await Task.WhenAny(woken, timer).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(woken, timer).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
    }

    private async Task RunAsync(Job claimed, CancellationToken stoppingToken)
    {
        using var lost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        using var writes = new SemaphoreSlim(1, 1);
        var job = claimed;

        // Every write of the attempt goes through here, one at a time: the store refuses it once the claim was taken over.
        async Task WriteAsync(Func<Job, Job> change)
        {
            await writes.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (lost.IsCancellationRequested && !stoppingToken.IsCancellationRequested) return;
                var next = change(job) with { LeaseUntil = _time.GetUtcNow() + _options.Lease };
                if (await _store.TryUpdateClaimedAsync(next, CancellationToken.None).ConfigureAwait(false)) job = next;
                else
                {
                    _log.LogWarning("Job {Job} attempt {Attempt}: the claim was taken over by another replica; abandoning this attempt", job.Id, job.Attempts);
                    await lost.CancelAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                writes.Release();
            }
        }

        var heartbeat = RenewAsync(WriteAsync, lost.Token);
        Job next;
        string outcome;
        try
        {
            if (!_handlers.TryGetValue(job.Kind, out var handler))
                throw new ProblemException("job refused", new Problem(InternalErrorCode, "$.kind", $"no handler for job kind '{job.Kind}'"));
            var result = await handler.RunAsync(job, step => WriteAsync(j => j with { Progress = step, UpdatedAt = _time.GetUtcNow() }), lost.Token)
                .ConfigureAwait(false);
            (next, outcome) = (Ended(job) with { State = JobState.Succeeded, ResultId = result, Error = null }, JobClaimOutcomes.Succeeded);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: queue it again, as a crash would have; its steps are idempotent.
            (next, outcome) = (Ended(job) with { State = JobState.Queued, Progress = $"interrupted by shutdown at: {job.Progress}" }, JobClaimOutcomes.Interrupted);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            await StopAsync(heartbeat).ConfigureAwait(false);
            return; // another replica holds the job now; nothing of this attempt is stored
        }
        catch (TransientJobException e)
        {
            var error = new JobError(e.Problem.Code, e.Problem.Message, Transient: true);
            if (job.Attempts >= _options.MaxAttempts)
            {
                (next, outcome) = (Ended(job) with { State = JobState.Failed, Error = error with { Message = $"{error.Message} (gave up after {job.Attempts} attempts)" } },
                    JobClaimOutcomes.Failed);
            }
            else
            {
                var delay = _options.RetryDelay(job.Attempts);
                var now = _time.GetUtcNow();
                (next, outcome) = (Ended(job) with { State = JobState.Queued, Error = error, NextAttemptAt = now + delay, Progress = $"retrying in {delay.TotalSeconds:0.#} s: {error.Message}" },
                    JobClaimOutcomes.Retry);
            }
            _log.LogWarning("Job {Job} attempt {Attempt}: {Error}", job.Id, job.Attempts, error.Message);
        }
        catch (ProblemException e)
        {
            var first = e.Problems[0];
            (next, outcome) = (Ended(job) with { State = JobState.Failed, Error = new JobError(first.Code, e.Message, false) }, JobClaimOutcomes.Failed);
        }
#pragma warning disable CA1031 // a handler's bug fails its job, not the queue
        catch (Exception e)
#pragma warning restore CA1031
        {
            _log.LogError(e, "Job {Job} failed unexpectedly", job.Id);
            (next, outcome) = (Ended(job) with { State = JobState.Failed, Error = new JobError(InternalErrorCode, $"{e.GetType().Name}: {e.Message}", false) },
                JobClaimOutcomes.Failed);
        }
        await lost.CancelAsync().ConfigureAwait(false);
        await StopAsync(heartbeat).ConfigureAwait(false);
        if (!await _store.TryFinishClaimAsync(job, next, outcome, _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false))
            _log.LogWarning("Job {Job} attempt {Attempt} ended ({Outcome}) after its claim was taken over: not stored", job.Id, job.Attempts, outcome);
    }

    /// <summary>The job as stored when an attempt ends: no holder, no lease.</summary>
    private Job Ended(Job job) => job with { ClaimedBy = null, LeaseUntil = null, UpdatedAt = _time.GetUtcNow() };

    /// <summary>Renews the claim every third of the lease until the attempt ends.</summary>
    private async Task RenewAsync(Func<Func<Job, Job>, Task> write, CancellationToken attempt)
    {
        while (!attempt.IsCancellationRequested)
        {
            await Task.Delay(_options.Lease / 3, _time, attempt).ConfigureAwait(false);
            try
            {
                await write(j => j).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The store is unreachable: the next renewal tries again; if none lands in time, a peer takes the job over.
                _log.LogWarning(e, "renewing a job claim failed");
            }
        }
    }

    private static async Task StopAsync(Task heartbeat)
    {
        try
        {
            await heartbeat.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // the attempt ended
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
