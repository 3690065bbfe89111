namespace AtymSecure.OtaStore;

/// <summary>
/// The one claim decision both job stores make inside their transaction (<see cref="IJobStore.TryClaimAsync"/>), so LiteDB
/// and PostgreSQL cannot differ: nothing is claimed while a job is held; else the oldest job that is queued and due, or
/// running under a lapsed claim, is claimed. The store supplies what "held" means for it (PostgreSQL: an unexpired lease;
/// LiteDB, one process per file: an unexpired lease this opening of the database granted).
/// </summary>
public static class JobClaimRules
{
    /// <summary>The claim to make, or null: <c>Claimed</c> is the job as it will be stored; <c>Lapsed</c> is set when it
    /// takes over a running job, whose open ledger row must be closed as <see cref="JobClaimOutcomes.Expired"/>.</summary>
    public static (Job Claimed, Job? Lapsed)? Choose(IEnumerable<Job> unfinished, Func<Job, bool> isHeld, string replicaId, DateTimeOffset now, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(unfinished);
        ArgumentNullException.ThrowIfNull(isHeld);
        ArgumentException.ThrowIfNullOrEmpty(replicaId);
        if (lease <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(lease), "a lease must be positive");
        var jobs = unfinished.Where(j => !j.IsFinished).ToList();
        if (jobs.Any(j => j.State == JobState.Running && isHeld(j))) return null;
        var next = jobs.Where(j => j.State == JobState.Running || j.NextAttemptAt <= now)
            .OrderBy(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal).FirstOrDefault();
        if (next is null) return null;
        var lapsed = next.State == JobState.Running ? next : null;
        var progress = lapsed is null ? next.Progress
            : $"taken over from {lapsed.ClaimedBy ?? "an earlier run"} (its claim lapsed) at: {lapsed.Progress}";
        var claimed = next with
        {
            State = JobState.Running, Attempts = next.Attempts + 1, UpdatedAt = now, ClaimedBy = replicaId, LeaseUntil = now + lease, Progress = progress,
        };
        return (claimed, lapsed);
    }

    /// <summary>The ledger row a new claim opens.</summary>
    public static JobClaimRecord Opened(Job claimed)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        return new JobClaimRecord(claimed.Id, claimed.Attempts, claimed.ClaimedBy!, claimed.UpdatedAt);
    }
}
