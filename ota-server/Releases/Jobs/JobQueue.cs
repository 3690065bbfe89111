using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AtymSecure.OtaReleases.Jobs;

/// <summary>
/// The durable background queue release imports run in. A job is written to the store before
/// <see cref="EnqueueAsync"/> returns, and every state change is written before the next step, so the store is the
/// queue: at start, jobs found <see cref="JobState.Running"/> were cut off by a crash (kill -9) and are queued again;
/// handlers are idempotent, so running them again loses and repeats nothing committed. One worker runs one job at a
/// time, oldest first (release counters are allocated in that order). A <see cref="TransientJobException"/> (registry
/// down) re-queues the job after an exponential backoff (<see cref="JobQueueOptions"/>), keeping the error visible in
/// the job; any other failure fails it with its problem. Time comes from the injected <see cref="TimeProvider"/>.
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
    }

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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var cutOff in (await _store.ListUnfinishedAsync(stoppingToken).ConfigureAwait(false)).Where(j => j.State == JobState.Running))
        {
            _log.LogInformation("Resuming job {Job} ({Kind}), cut off at: {Progress}", cutOff.Id, cutOff.Kind, cutOff.Progress);
            await _store.UpdateAsync(cutOff with { State = JobState.Queued, UpdatedAt = _time.GetUtcNow(), Progress = $"resumed after a restart at: {cutOff.Progress}" },
                stoppingToken).ConfigureAwait(false);
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var queued = (await _store.ListUnfinishedAsync(stoppingToken).ConfigureAwait(false)).Where(j => j.State == JobState.Queued).ToList();
            var now = _time.GetUtcNow();
            if (queued.Where(j => j.NextAttemptAt <= now).OrderBy(j => j.CreatedAt).FirstOrDefault() is { } due)
            {
                await RunAsync(due, stoppingToken).ConfigureAwait(false);
                continue;
            }
            TimeSpan? wait = queued.Count == 0 ? null : queued.Min(j => j.NextAttemptAt) - now;
            await SleepAsync(wait, stoppingToken).ConfigureAwait(false);
        }
    }

    /// <summary>Until woken by <see cref="EnqueueAsync"/> or <paramref name="wait"/> passes (forever when null).</summary>
    private async Task SleepAsync(TimeSpan? wait, CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var woken = _wake.WaitAsync(stop.Token);
        var timer = wait is { } w ? Task.Delay(w, _time, stop.Token) : Task.Delay(Timeout.Infinite, stop.Token);
        try
        {
            await Task.WhenAny(woken, timer).ConfigureAwait(false);
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(woken, timer).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
    }

    private async Task RunAsync(Job queued, CancellationToken stoppingToken)
    {
        var job = queued with { State = JobState.Running, Attempts = queued.Attempts + 1, UpdatedAt = _time.GetUtcNow() };
        await _store.UpdateAsync(job, stoppingToken).ConfigureAwait(false);
        try
        {
            if (!_handlers.TryGetValue(job.Kind, out var handler))
                throw new ProblemException("job refused", new Problem(InternalErrorCode, "$.kind", $"no handler for job kind '{job.Kind}'"));
            var result = await handler.RunAsync(job, async step =>
            {
                job = job with { Progress = step, UpdatedAt = _time.GetUtcNow() };
                await _store.UpdateAsync(job, CancellationToken.None).ConfigureAwait(false);
            }, stoppingToken).ConfigureAwait(false);
            job = job with { State = JobState.Succeeded, ResultId = result, Error = null, UpdatedAt = _time.GetUtcNow() };
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutdown: queue it again, as a crash would have; its steps are idempotent.
            job = job with { State = JobState.Queued, UpdatedAt = _time.GetUtcNow(), Progress = $"interrupted by shutdown at: {job.Progress}" };
        }
        catch (TransientJobException e)
        {
            var error = new JobError(e.Problem.Code, e.Problem.Message, Transient: true);
            if (job.Attempts >= _options.MaxAttempts)
            {
                job = job with { State = JobState.Failed, Error = error with { Message = $"{error.Message} (gave up after {job.Attempts} attempts)" }, UpdatedAt = _time.GetUtcNow() };
            }
            else
            {
                var delay = _options.RetryDelay(job.Attempts);
                var now = _time.GetUtcNow();
                job = job with { State = JobState.Queued, Error = error, NextAttemptAt = now + delay, UpdatedAt = now, Progress = $"retrying in {delay.TotalSeconds:0.#} s: {error.Message}" };
            }
            _log.LogWarning("Job {Job} attempt {Attempt}: {Error}", job.Id, job.Attempts, error.Message);
        }
        catch (ProblemException e)
        {
            var first = e.Problems[0];
            job = job with { State = JobState.Failed, Error = new JobError(first.Code, e.Message, false), UpdatedAt = _time.GetUtcNow() };
        }
#pragma warning disable CA1031 // a handler's bug fails its job, not the queue
        catch (Exception e)
#pragma warning restore CA1031
        {
            _log.LogError(e, "Job {Job} failed unexpectedly", job.Id);
            job = job with { State = JobState.Failed, Error = new JobError(InternalErrorCode, $"{e.GetType().Name}: {e.Message}", false), UpdatedAt = _time.GetUtcNow() };
        }
        await _store.UpdateAsync(job, CancellationToken.None).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }
}
