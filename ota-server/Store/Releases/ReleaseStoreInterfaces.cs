
namespace AtymSecure.OtaStore;

/// <summary>
/// Recorded releases. Small on purpose, so the LiteDB store and a later PostgreSQL store (issue 17) implement it the
/// same way; a contract suite runs against each (tests/AtymSecure.OtaStore.Tests/Contract/ReleaseStoresContract.cs).
/// </summary>
public interface IReleaseStore
{
    Task<Release?> GetAsync(string id, CancellationToken ct = default);

    /// <summary>Every release, or those of one container, oldest first.</summary>
    Task<IReadOnlyList<Release>> ListAsync(string? container = null, CancellationToken ct = default);

    /// <summary>Records <paramref name="release"/> unless its id exists; returns the stored one (the first writer wins).</summary>
    Task<Release> AddOrGetAsync(Release release, CancellationToken ct = default);
}

/// <summary>
/// Background jobs (the releases library's JobQueue): persisted before they run, updated at each step, and claimed by one
/// worker at a time across every server process sharing the store. A claim is a lease: the holder renews it
/// (<see cref="TryUpdateClaimedAsync"/>) and when it lapses — the holder was killed or stalled — the next
/// <see cref="TryClaimAsync"/> of any replica takes the job over and closes the lapsed claim in the ledger as
/// <see cref="JobClaimOutcomes.Expired"/>. Writes of a claim are fenced: once taken over, the old holder's writes are refused,
/// so its late result cannot overwrite the new attempt's. The whole queue runs one job at a time (oldest first, as release
/// counters are allocated in that order): a claim is refused while another job is held.
/// </summary>
public interface IJobStore
{
    /// <summary>
    /// Claims the oldest job that may run at <paramref name="now"/> for <paramref name="replicaId"/> — queued and due, or
    /// running under a lapsed lease — unless some job is held: marks it running (attempt + 1, lease until
    /// <paramref name="now"/> + <paramref name="lease"/>) and appends its row to the claims ledger, all in one transaction.
    /// Null when nothing may run. A store that only one process can open (LiteDB) treats claims made before it was opened as
    /// lapsed, so a restart resumes a cut-off job at once.
    /// </summary>
    Task<Job?> TryClaimAsync(string replicaId, DateTimeOffset now, TimeSpan lease, CancellationToken ct = default);

    /// <summary>Stores <paramref name="job"/> (progress, a renewed <see cref="Job.LeaseUntil"/>) while the stored job is still
    /// its claim (<see cref="Job.SameClaimAs"/>); false, writing nothing, when the claim was taken over.</summary>
    Task<bool> TryUpdateClaimedAsync(Job job, CancellationToken ct = default);

    /// <summary>Ends the claim <paramref name="claimed"/>: stores <paramref name="next"/> (finished, or queued again) and closes
    /// the claim's ledger row with <paramref name="outcome"/> at <paramref name="at"/>, in one transaction; false when the claim
    /// was taken over meanwhile (nothing written).</summary>
    Task<bool> TryFinishClaimAsync(Job claimed, Job next, string outcome, DateTimeOffset at, CancellationToken ct = default);

    /// <summary>The claims ledger (of one job, or all), by job creation then attempt.</summary>
    Task<IReadOnlyList<JobClaimRecord>> ListClaimsAsync(string? jobId = null, CancellationToken ct = default);

    Task<Job?> GetAsync(string id, CancellationToken ct = default);

    Task AddAsync(Job job, CancellationToken ct = default);

    /// <summary>Replaces the job with <paramref name="job"/>'s id.</summary>
    Task UpdateAsync(Job job, CancellationToken ct = default);

    /// <summary>Jobs not succeeded or failed, oldest first.</summary>
    Task<IReadOnlyList<Job>> ListUnfinishedAsync(CancellationToken ct = default);
}

/// <summary>Direct assignments, one per (device, container).</summary>
public interface IAssignmentStore
{
    /// <summary>Stores <paramref name="assignment"/>, replacing the device's assignment for that container; returns the replaced one.</summary>
    Task<Assignment?> SetAsync(Assignment assignment, CancellationToken ct = default);

    Task<IReadOnlyList<Assignment>> ListForDeviceAsync(string deviceId, CancellationToken ct = default);

    /// <summary>Every assignment (or those of one release), ordered by device then container.</summary>
    Task<IReadOnlyList<Assignment>> ListAsync(string? releaseId = null, CancellationToken ct = default);
}
