using System.Security.Cryptography;

namespace AtymSecure.OtaStore;

/// <summary>Where a background job is.</summary>
public enum JobState
{
    /// <summary>Waiting for its turn or for its next attempt (<see cref="Job.NextAttemptAt"/>).</summary>
    Queued,

    /// <summary>A worker runs it. Found like this at start, it was cut off by a crash and runs again.</summary>
    Running,

    /// <summary>Done; <see cref="Job.ResultId"/> names what it made.</summary>
    Succeeded,

    /// <summary>Given up: a permanent refusal, or the retries ran out. <see cref="Job.Error"/> says why.</summary>
    Failed,
}

/// <summary>Why a job's last attempt failed. <paramref name="Transient"/> errors (registry down) are retried with backoff.</summary>
public sealed record JobError(string Code, string Message, bool Transient);

/// <summary>
/// One unit of background work, persisted in the store before anything runs so that a restart resumes it
/// (the releases library's JobQueue). The handler's steps are idempotent, so running a job again after a crash repeats
/// nothing that was committed.
/// </summary>
/// <param name="Id"><c>job-</c> + 16 random hex.</param>
/// <param name="Kind">Which handler runs it (the handler's kind).</param>
/// <param name="Request">The handler's input as JSON, exactly as accepted.</param>
/// <param name="Attempts">Attempts started so far.</param>
/// <param name="Progress">The last step reported, for people (<c>compiling linux-x86_64 (1/2)</c>).</param>
/// <param name="ResultId">What a succeeded job made (a release id).</param>
/// <param name="Error">The last failure; kept while a transient one is retried.</param>
/// <param name="ClaimedBy">While <see cref="JobState.Running"/>: the replica whose worker holds it (<see cref="IJobStore.TryClaimAsync"/>).</param>
/// <param name="LeaseUntil">While running: when the claim lapses unless renewed; after that another replica takes the job over.</param>
public sealed record Job(
    string Id,
    string Kind,
    string Request,
    JobState State,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset NextAttemptAt,
    string? Progress = null,
    string? ResultId = null,
    JobError? Error = null,
    string? ClaimedBy = null,
    DateTimeOffset? LeaseUntil = null)
{
    public static string NewId() => "job-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public bool IsFinished => State is JobState.Succeeded or JobState.Failed;

    /// <summary>Whether a worker holds this job at <paramref name="now"/>: running under a lease that has not lapsed.</summary>
    public bool IsHeldAt(DateTimeOffset now) => State == JobState.Running && LeaseUntil is { } until && until > now;

    /// <summary>Whether <paramref name="stored"/> is still this claim: same attempt, same holder, still running.</summary>
    public bool SameClaimAs(Job stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        return stored.State == JobState.Running && stored.Attempts == Attempts && stored.ClaimedBy == ClaimedBy;
    }
}

/// <summary>How one claim of a job ended, in the claims ledger (<see cref="JobClaimRecord.Outcome"/>).</summary>
public static class JobClaimOutcomes
{
    public const string Succeeded = "succeeded", Failed = "failed", Retry = "retry", Interrupted = "interrupted",
        /// <summary>The holder stopped renewing (killed, stalled, partitioned) and another replica took the job over.</summary>
        Expired = "expired";
}

/// <summary>
/// One row of the claims ledger: a worker of <paramref name="ReplicaId"/> took attempt <paramref name="Attempt"/> of job
/// <paramref name="JobId"/> at <paramref name="ClaimedAt"/>; <paramref name="FinishedAt"/> and <paramref name="Outcome"/>
/// (<see cref="JobClaimOutcomes"/>) are set when the attempt ends, or when a takeover closes a lapsed claim. One row per
/// (job, attempt), written in the claim's own transaction, so tests assert "no job ran twice" from it instead of assuming it.
/// </summary>
public sealed record JobClaimRecord(string JobId, int Attempt, string ReplicaId, DateTimeOffset ClaimedAt, DateTimeOffset? FinishedAt = null, string? Outcome = null);
