using LiteDB;

namespace AtymSecure.OtaStore.LiteDb;

/// <summary>
/// <see cref="IReleaseStore"/> over <see cref="OtaDatabase"/> (collection <c>releases</c>, keyed by release id, with
/// container and import order copied beside the JSON for queries). Insert-if-absent runs under the write lock, so two
/// imports of one digest record one release.
/// </summary>
public sealed class LiteDbReleaseStore : IReleaseStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<Release> _releases;

    public LiteDbReleaseStore(OtaDatabase database)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _releases = new JsonCollection<Release>(database, "releases", r => r.Id,
            r => [("container", r.Container), ("importedAt", r.ImportedAt.UtcTicks)], "container");
    }

    public Task<Release?> GetAsync(string id, CancellationToken ct = default) => Task.FromResult(_releases.Find(id));

    public Task<IReadOnlyList<Release>> ListAsync(string? container = null, CancellationToken ct = default)
    {
        var found = container is null ? _releases.All() : _releases.Where("container", container);
        return Task.FromResult<IReadOnlyList<Release>>([.. found.OrderBy(r => r.ImportedAt).ThenBy(r => r.Id, StringComparer.Ordinal)]);
    }

    public Task<Release> AddOrGetAsync(Release release, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(release);
        return Task.FromResult(_database.Write(() => _releases.Insert(release) ? release : _releases.Find(release.Id)!));
    }
}

/// <summary>
/// <see cref="IJobStore"/> over <see cref="OtaDatabase"/> (collection <c>jobs</c>, state copied beside the JSON; the claims
/// ledger in <c>job_claims</c>, keyed job/attempt). Every claim decision runs under the database's write lock
/// (<see cref="JobClaimRules"/>). Only one process opens the file (the lock file), so a claim this opening did not grant
/// belongs to a process that is gone: it counts as lapsed at once, and a restart resumes a cut-off job without waiting for
/// its lease, as before leases existed.
/// </summary>
public sealed class LiteDbJobStore : IJobStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<Job> _jobs;
    private readonly JsonCollection<JobClaimRecord> _claims;
    private readonly HashSet<(string, int)> _granted = []; // guarded by the write lock

    public LiteDbJobStore(OtaDatabase database)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _jobs = new JsonCollection<Job>(database, "jobs", j => j.Id, j => [("finished", j.IsFinished)], "finished");
        _claims = new JsonCollection<JobClaimRecord>(database, "job_claims", ClaimKey);
    }

    public Task<Job?> GetAsync(string id, CancellationToken ct = default) => Task.FromResult(_jobs.Find(id));

    public Task AddAsync(Job job, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!_database.Write(() => _jobs.Insert(job))) throw new InvalidOperationException($"job {job.Id} exists");
        return Task.CompletedTask;
    }

    public Task UpdateAsync(Job job, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        _database.Write(() =>
        {
            _jobs.Upsert(job);
            return true;
        });
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Job>> ListUnfinishedAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Job>>(Unfinished());

    public Task<Job?> TryClaimAsync(string replicaId, DateTimeOffset now, TimeSpan lease, CancellationToken ct = default) =>
        Task.FromResult(_database.Write(() =>
        {
            if (JobClaimRules.Choose(Unfinished(), j => _granted.Contains((j.Id, j.Attempts)) && j.IsHeldAt(now), replicaId, now, lease)
                is not var (claimed, lapsed)) return (Job?)null;
            if (lapsed is not null) CloseClaim(lapsed, JobClaimOutcomes.Expired, now);
            _jobs.Upsert(claimed);
            _claims.Upsert(JobClaimRules.Opened(claimed));
            _granted.Add((claimed.Id, claimed.Attempts));
            return claimed;
        }));

    public Task<bool> TryUpdateClaimedAsync(Job job, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Task.FromResult(_database.Write(() =>
        {
            if (_jobs.Find(job.Id) is not { } stored || !job.SameClaimAs(stored)) return false;
            _jobs.Upsert(job);
            return true;
        }));
    }

    public Task<bool> TryFinishClaimAsync(Job claimed, Job next, string outcome, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        ArgumentNullException.ThrowIfNull(next);
        return Task.FromResult(_database.Write(() =>
        {
            if (_jobs.Find(claimed.Id) is not { } stored || !claimed.SameClaimAs(stored)) return false;
            _jobs.Upsert(next);
            CloseClaim(claimed, outcome, at);
            _granted.Remove((claimed.Id, claimed.Attempts));
            return true;
        }));
    }

    public Task<IReadOnlyList<JobClaimRecord>> ListClaimsAsync(string? jobId = null, CancellationToken ct = default)
    {
        var created = _jobs.All().ToDictionary(j => j.Id, j => j.CreatedAt, StringComparer.Ordinal);
        return Task.FromResult<IReadOnlyList<JobClaimRecord>>([.. _claims.All().Where(c => jobId is null || c.JobId == jobId)
            .OrderBy(c => created.GetValueOrDefault(c.JobId)).ThenBy(c => c.JobId, StringComparer.Ordinal).ThenBy(c => c.Attempt)]);
    }

    private List<Job> Unfinished() =>
        [.. _jobs.Where("finished", false).OrderBy(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal)];

    /// <summary>Closes the open ledger row of <paramref name="job"/>'s claim; a claim made before the ledger existed has none, and gets one.</summary>
    private void CloseClaim(Job job, string outcome, DateTimeOffset at)
    {
        var row = _claims.Find(ClaimKey(job.Id, job.Attempts)) ?? new JobClaimRecord(job.Id, job.Attempts, job.ClaimedBy ?? "unknown", job.UpdatedAt);
        if (row.Outcome is null) _claims.Upsert(row with { FinishedAt = at, Outcome = outcome });
    }

    private static string ClaimKey(JobClaimRecord claim) => ClaimKey(claim.JobId, claim.Attempt);

    private static string ClaimKey(string jobId, int attempt) => $"{jobId}/{attempt}";
}

/// <summary>
/// <see cref="IAssignmentStore"/> over <see cref="OtaDatabase"/> (collection <c>assignments</c>, keyed by device + container).
/// Each device's list is kept in memory once read, because the poll path asks for it on every poll (a LiteDB query
/// was half a 304's CPU, bench/ota-poll): this process's own writes are the only ones (one process per data folder,
/// the lock file), and each write replaces the device's list under the write lock, in the transaction that stores it
/// (a failed write drops it, to be read again). A write method added here must do the same.
/// </summary>
public sealed class LiteDbAssignmentStore : IAssignmentStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<Assignment> _assignments;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, IReadOnlyList<Assignment>> _byDevice = new(StringComparer.Ordinal);

    public LiteDbAssignmentStore(OtaDatabase database)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _assignments = new JsonCollection<Assignment>(database, "assignments", a => a.DeviceId + "\n" + a.Container,
            a => [("deviceId", a.DeviceId), ("releaseId", a.ReleaseId)], "deviceId", "releaseId");
    }

    public Task<Assignment?> SetAsync(Assignment assignment, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        try
        {
            return Task.FromResult(_database.Write(() =>
            {
                var before = _assignments.Find(assignment.DeviceId + "\n" + assignment.Container);
                _assignments.Upsert(assignment);
                // Replaced, not removed: a reader that queried before this write cannot put its older list back.
                _byDevice[assignment.DeviceId] = Read(assignment.DeviceId);
                return before;
            }));
        }
        catch
        {
            _byDevice.TryRemove(assignment.DeviceId, out _);
            throw;
        }
    }

    public Task<IReadOnlyList<Assignment>> ListForDeviceAsync(string deviceId, CancellationToken ct = default) =>
        Task.FromResult(_byDevice.GetOrAdd(deviceId, Read));

    public Task<IReadOnlyList<Assignment>> ListAsync(string? releaseId = null, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Assignment>>([.. (releaseId is null ? _assignments.All() : _assignments.Where("releaseId", releaseId))
            .OrderBy(a => a.DeviceId, StringComparer.Ordinal).ThenBy(a => a.Container, StringComparer.Ordinal)]);

    private IReadOnlyList<Assignment> Read(string deviceId)
    {
        var found = _assignments.Where("deviceId", deviceId).OrderBy(a => a.Container, StringComparer.Ordinal).ToArray();
        return found.Length == 0 ? [] : found;
    }
}
