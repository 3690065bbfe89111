using AtymSecure.OtaMetadata.Resigning;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaReleases.Jobs;

/// <summary>
/// Hands each due re-signing round to the job queue as a <see cref="MetadataResignJob"/> under the round's deterministic
/// id, so replicas that see the same round enqueue one job between them and one worker claims it (the claims ledger
/// records it). A round whose job failed for good gets the next generation's id and is queued again; one queued,
/// running or succeeded is left alone.
/// </summary>
public sealed class JobResignRounds(JobQueue queue) : IResignRounds
{
    /// <summary>Generations tried before giving up on a round for this pass (each failed one took hours of retries).</summary>
    public const int MaxGenerations = 1000;

    public async Task<bool> RunAsync(ResignRound round, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(round);
        for (var generation = 1; generation <= MaxGenerations; generation++)
        {
            var job = await queue.EnqueueOnceAsync(MetadataResignJob.JobId(round, generation), MetadataResignJob.JobKind, MetadataResignJob.Request(round), ct)
                .ConfigureAwait(false);
            if (job.State != JobState.Failed) return false;
        }
        throw new InvalidOperationException($"re-signing round t{round.TimestampVersion} failed {MaxGenerations} times; see the jobs {MetadataResignJob.JobId(round)}-N");
    }
}
