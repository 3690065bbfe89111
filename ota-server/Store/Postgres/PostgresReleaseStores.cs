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

/// <summary>
/// <see cref="IJobStore"/> over <see cref="PostgresDatabase"/> (table <c>jobs</c>, finished flag and creation time beside the
/// JSON; ledger <c>job_claims</c>). Claims from every replica serialize on one transaction-scoped advisory lock, and the
/// claim locks the unfinished rows (<c>FOR UPDATE</c>) before deciding (<see cref="JobClaimRules"/>), so it sees a renewal
/// that committed while it waited; a holder's writes lock its row and check the claim is still its own (fencing). A
/// replica killed with <c>kill -9</c> holds no database lock: its job is taken over once its lease lapses.
/// </summary>
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
        database.Write(c => Upsert(c, job));
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Job>> ListUnfinishedAsync(CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Job>>(database.Read(c => Sql.Documents<Job>(c, "SELECT doc FROM jobs WHERE NOT finished ORDER BY created_ticks, id")));

    public Task<Job?> TryClaimAsync(string replicaId, DateTimeOffset now, TimeSpan lease, CancellationToken ct = default) =>
        Task.FromResult(database.Write(c =>
        {
            Sql.Execute(c, "SELECT pg_advisory_xact_lock($1, 0)", PostgresSchema.JobClaimLock);
            var unfinished = Sql.Documents<Job>(c, "SELECT doc FROM jobs WHERE NOT finished ORDER BY created_ticks, id FOR UPDATE");
            if (JobClaimRules.Choose(unfinished, j => j.IsHeldAt(now), replicaId, now, lease) is not var (claimed, lapsed)) return (Job?)null;
            if (lapsed is not null) CloseClaim(c, lapsed, JobClaimOutcomes.Expired, now);
            Upsert(c, claimed);
            var opened = JobClaimRules.Opened(claimed);
            Sql.Execute(c, "INSERT INTO job_claims (job_id, attempt, replica_id, claimed_ticks) VALUES ($1, $2, $3, $4)",
                opened.JobId, opened.Attempt, opened.ReplicaId, opened.ClaimedAt.UtcTicks);
            return claimed;
        }));

    public Task<bool> TryUpdateClaimedAsync(Job job, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(job);
        return Task.FromResult(database.Write(c =>
        {
            if (!StillClaimed(c, job)) return false;
            Upsert(c, job);
            return true;
        }));
    }

    public Task<bool> TryFinishClaimAsync(Job claimed, Job next, string outcome, DateTimeOffset at, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(claimed);
        ArgumentNullException.ThrowIfNull(next);
        return Task.FromResult(database.Write(c =>
        {
            if (!StillClaimed(c, claimed)) return false;
            Upsert(c, next);
            CloseClaim(c, claimed, outcome, at);
            return true;
        }));
    }

    public Task<IReadOnlyList<JobClaimRecord>> ListClaimsAsync(string? jobId = null, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<JobClaimRecord>>(database.Read(c =>
        {
            using var command = new Npgsql.NpgsqlCommand("""
                SELECT l.job_id, l.attempt, l.replica_id, l.claimed_ticks, l.finished_ticks, l.outcome FROM job_claims l
                LEFT JOIN jobs j ON j.id = l.job_id WHERE $1::text IS NULL OR l.job_id = $1 ORDER BY j.created_ticks, l.job_id, l.attempt
                """, c);
            command.Parameters.Add(new Npgsql.NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text, Value = (object?)jobId ?? DBNull.Value });
            using var reader = command.ExecuteReader();
            var rows = new List<JobClaimRecord>();
            while (reader.Read())
                rows.Add(new JobClaimRecord(reader.GetString(0), reader.GetInt32(1), reader.GetString(2), Ticks(reader.GetInt64(3)),
                    reader.IsDBNull(4) ? null : Ticks(reader.GetInt64(4)), reader.IsDBNull(5) ? null : reader.GetString(5)));
            return rows;
        }));

    private static bool StillClaimed(Npgsql.NpgsqlConnection c, Job claim) =>
        Sql.Document<Job>(c, "SELECT doc FROM jobs WHERE id = $1 FOR UPDATE", claim.Id) is { } stored && claim.SameClaimAs(stored);

    private static int Upsert(Npgsql.NpgsqlConnection c, Job job) => Sql.Execute(c, """
        INSERT INTO jobs (id, finished, created_ticks, doc) VALUES ($1, $2, $3, $4)
        ON CONFLICT (id) DO UPDATE SET finished = excluded.finished, created_ticks = excluded.created_ticks, doc = excluded.doc
        """, job.Id, job.IsFinished, job.CreatedAt.UtcTicks, Sql.Json.Of(job));

    /// <summary>Closes the claim's open ledger row; a claim made before the ledger existed gets a closed row of its own.</summary>
    private static void CloseClaim(Npgsql.NpgsqlConnection c, Job job, string outcome, DateTimeOffset at)
    {
        Sql.Execute(c, """
            INSERT INTO job_claims (job_id, attempt, replica_id, claimed_ticks, finished_ticks, outcome) VALUES ($1, $2, $3, $4, $5, $6)
            ON CONFLICT (job_id, attempt) DO UPDATE SET finished_ticks = excluded.finished_ticks, outcome = excluded.outcome
            WHERE job_claims.outcome IS NULL
            """, job.Id, job.Attempts, job.ClaimedBy ?? "unknown", job.UpdatedAt.UtcTicks, at.UtcTicks, outcome);
    }

    private static DateTimeOffset Ticks(long ticks) => new(ticks, TimeSpan.Zero);
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
