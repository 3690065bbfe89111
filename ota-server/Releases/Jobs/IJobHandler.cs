using AtymSecure.OtaStore;

namespace AtymSecure.OtaReleases.Jobs;

/// <summary>
/// Runs one kind of <see cref="Job"/>. Must be idempotent: a job cut off by a crash runs again from the start, so
/// every step checks what an earlier attempt committed (<see cref="ReleaseImportJob"/> does).
/// </summary>
public interface IJobHandler
{
    string Kind { get; }

    /// <summary>Does the work; returns the id of what it made. Throws <see cref="TransientJobException"/> to be retried,
    /// a <see cref="Primitives.ProblemException"/> to fail the job with its problem.</summary>
    /// <param name="progress">Records a step in the job (persisted before it returns).</param>
    Task<string> RunAsync(Job job, Func<string, Task> progress, CancellationToken ct);
}

/// <summary>How the queue retries transient failures (exponential backoff from <see cref="FirstRetryDelay"/>, capped) and
/// how it shares the store with other replicas (lease, poll interval, replica id).</summary>
public sealed record JobQueueOptions
{
    /// <summary>How long a claim holds without renewal: a killed replica's job is taken over this long after its last
    /// renewal. The worker renews every third of it.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How often an idle worker looks for jobs another replica queued (its own wake it at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The name this process's claims carry in the ledger; by default host, process id and a random suffix.</summary>
    public string? ReplicaId { get; init; }

    /// <summary>host/pid/random: unique per process, readable in the ledger.</summary>
    public static string NewReplicaId() =>
        $"{Environment.MachineName}/{Environment.ProcessId}/{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";

    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Attempts before a job that keeps failing transiently is failed (about 3 h with the defaults).</summary>
    public int MaxAttempts { get; init; } = 40;

    /// <summary>The delay before attempt <paramref name="attempt"/> + 1.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        var factor = Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(FirstRetryDelay.Ticks * factor, MaxRetryDelay.Ticks));
    }
}
