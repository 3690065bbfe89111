namespace AtymSecure.OtaStore.Postgres;

/// <summary><see cref="IReleaseStore"/> over <see cref="PostgresDatabase"/> (table <c>releases</c>). Insert-if-absent is one
/// <c>INSERT … ON CONFLICT DO NOTHING</c> and the read of the winner follows in the same transaction, so two imports of one
/// digest record one release and both get it.</summary>
public sealed class PostgresReleaseStore(PostgresDatabase database) : IReleaseStore
{
    public Task<Release?> GetAsync(string id, CancellationToken ct = default) =>
        Task.FromResult(database.Read(c => Sql.Document<Release>(c, "SELECT doc FROM releases WHERE id = $1", id)));

    public Task<IReadOnlyList<Release>> ListAsync(string? container = null, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Release>>(database.Read(c => Sql.Documents<Release>(c,
            "SELECT doc FROM releases WHERE $1::text IS NULL OR container = $1 ORDER BY imported_ticks, id", container)));

    public Task<Release> AddOrGetAsync(Release release, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(release);
        return Task.FromResult(database.Write(c =>
        {
            Sql.Execute(c, "INSERT INTO releases (id, container, imported_ticks, doc) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                release.Id, release.Container, release.ImportedAt.UtcTicks, Sql.Json.Of(release));
            return Sql.Document<Release>(c, "SELECT doc FROM releases WHERE id = $1", release.Id)!;
        }));
    }
}

/// <summary><see cref="IJobStore"/> over <see cref="PostgresDatabase"/> (table <c>jobs</c>, finished flag and creation time beside the JSON).</summary>
public sealed class PostgresJobStore(PostgresDatabase database) : IJobStore
{
    public Task<Job?> GetAsync(string id, CancellationToken ct = default) =>
        Task.FromResult(database.Read(c => Sql.Document<Job>(c, "SELECT doc FROM jobs WHERE id = $1", id)));

    public Task AddAsync(Job job, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        if (!database.Write(c => Sql.Execute(c, "INSERT INTO jobs (id, finished, created_ticks, doc) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                job.Id, job.IsFinished, job.CreatedAt.UtcTicks, Sql.Json.Of(job)) == 1))
            throw new InvalidOperationException($"job {job.Id} exists");
        return Task.CompletedTask;
    }

    public Task UpdateAsync(Job job, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        database.Write(c => Sql.Execute(c, """
            INSERT INTO jobs (id, finished, created_ticks, doc) VALUES ($1, $2, $3, $4)
            ON CONFLICT (id) DO UPDATE SET finished = excluded.finished, created_ticks = excluded.created_ticks, doc = excluded.doc
            """, job.Id, job.IsFinished, job.CreatedAt.UtcTicks, Sql.Json.Of(job)));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Job>> ListUnfinishedAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Job>>(database.Read(c => Sql.Documents<Job>(c, "SELECT doc FROM jobs WHERE NOT finished ORDER BY created_ticks, id")));
}

/// <summary>
/// <see cref="IAssignmentStore"/> over <see cref="PostgresDatabase"/> (table <c>assignments</c>, keyed by device + container).
/// Unlike the LiteDB store it keeps no per-device list in memory: other server processes may write the same database,
/// so every read asks PostgreSQL (one primary-key range scan). The replaced assignment is read under the row lock the
/// update takes, so of two concurrent writes each returns what it really replaced.
/// </summary>
public sealed class PostgresAssignmentStore(PostgresDatabase database) : IAssignmentStore
{
    public Task<Assignment?> SetAsync(Assignment assignment, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(assignment);
        return Task.FromResult(database.Write(c =>
        {
            // Insert when absent; else the row exists: lock it, read what it held and replace it. A concurrent first insert
            // makes this insert wait and then do nothing, so the second writer returns the first one's assignment.
            if (Sql.Execute(c, "INSERT INTO assignments (device_id, container, release_id, doc) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    assignment.DeviceId, assignment.Container, assignment.ReleaseId, Sql.Json.Of(assignment)) == 1) return null;
            var before = Sql.Document<Assignment>(c, "SELECT doc FROM assignments WHERE device_id = $1 AND container = $2 FOR UPDATE",
                assignment.DeviceId, assignment.Container);
            Sql.Execute(c, "UPDATE assignments SET release_id = $3, doc = $4 WHERE device_id = $1 AND container = $2",
                assignment.DeviceId, assignment.Container, assignment.ReleaseId, Sql.Json.Of(assignment));
            return before;
        }));
    }

    public Task<IReadOnlyList<Assignment>> ListForDeviceAsync(string deviceId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Assignment>>(database.Read(c => Sql.Documents<Assignment>(c,
            "SELECT doc FROM assignments WHERE device_id = $1 ORDER BY container", deviceId)));

    public Task<IReadOnlyList<Assignment>> ListAsync(string? releaseId = null, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Assignment>>(database.Read(c => Sql.Documents<Assignment>(c,
            "SELECT doc FROM assignments WHERE $1::text IS NULL OR release_id = $1 ORDER BY device_id, container", releaseId)));
}
