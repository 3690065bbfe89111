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

/// <summary><see cref="IJobStore"/> over <see cref="OtaDatabase"/> (collection <c>jobs</c>; state copied beside the JSON).</summary>
public sealed class LiteDbJobStore : IJobStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<Job> _jobs;

    public LiteDbJobStore(OtaDatabase database)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _jobs = new JsonCollection<Job>(database, "jobs", j => j.Id, j => [("finished", j.IsFinished)], "finished");
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
        Task.FromResult<IReadOnlyList<Job>>([.. _jobs.Where("finished", false).OrderBy(j => j.CreatedAt).ThenBy(j => j.Id, StringComparer.Ordinal)]);
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
