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
    JobError? Error = null)
{
    public static string NewId() => "job-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public bool IsFinished => State is JobState.Succeeded or JobState.Failed;
}
