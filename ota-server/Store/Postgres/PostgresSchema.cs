using Npgsql;

namespace AtymSecure.OtaStore.Postgres;

/// <summary>
/// The PostgreSQL store's schema as numbered migrations, applied in order at start and recorded in
/// <c>ota_schema_migrations</c> (version, description, when) in the same transaction as their DDL, so a crash leaves a
/// migration applied and recorded, or neither. Migrating is idempotent: versions already recorded are skipped. Two
/// servers starting at once serialize on an advisory lock. A database recording a version above
/// <see cref="CurrentVersion"/> is refused (<see cref="StoreSchemaTooNewException"/>) before anything is touched.
/// Append migrations; never edit one that has shipped.
/// </summary>
public static class PostgresSchema
{
    /// <summary>Advisory lock class ids (the first key of <c>pg_advisory_xact_lock(int, int)</c>) used by the stores.</summary>
    internal const int MigrationLock = 0x6f7461, AuditLock = 0x6f7462, ReportLock = 0x6f7463, JobClaimLock = 0x6f7464, RolloutLock = 0x6f7465;

    /// <summary>The migrations, version 1 first.</summary>
    public static IReadOnlyList<(int Version, string Description, string Sql)> Migrations { get; } =
    [
        (1, "tokens, devices, keys, reports, audit, releases, jobs, assignments, deployments", """
            CREATE TABLE operator_tokens (id text COLLATE "C" PRIMARY KEY, created_ms bigint NOT NULL, doc json NOT NULL);
            CREATE TABLE enrollment_tokens (id text COLLATE "C" PRIMARY KEY, created_ms bigint NOT NULL, doc json NOT NULL);
            CREATE TABLE devices (id text COLLATE "C" PRIMARY KEY, state text NOT NULL, groups text[] NOT NULL, revision bigint NOT NULL, doc json NOT NULL);
            CREATE INDEX devices_state ON devices (state);
            CREATE INDEX devices_groups ON devices USING gin (groups);
            CREATE TABLE preauthorized_keys (fingerprint text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
            CREATE TABLE device_reports (device_id text COLLATE "C" NOT NULL, sequence bigint NOT NULL, doc json NOT NULL, PRIMARY KEY (device_id, sequence));
            CREATE TABLE report_nonces (device_id text COLLATE "C" NOT NULL, nonce text COLLATE "C" NOT NULL, PRIMARY KEY (device_id, nonce));
            CREATE TABLE audit (sequence bigint PRIMARY KEY, doc json NOT NULL);
            CREATE TABLE releases (id text COLLATE "C" PRIMARY KEY, container text COLLATE "C" NOT NULL, imported_ticks bigint NOT NULL, doc json NOT NULL);
            CREATE INDEX releases_container ON releases (container);
            CREATE TABLE jobs (id text COLLATE "C" PRIMARY KEY, finished boolean NOT NULL, created_ticks bigint NOT NULL, doc json NOT NULL);
            CREATE INDEX jobs_unfinished ON jobs (created_ticks) WHERE NOT finished;
            CREATE TABLE assignments (device_id text COLLATE "C" NOT NULL, container text COLLATE "C" NOT NULL, release_id text COLLATE "C" NOT NULL,
                doc json NOT NULL, PRIMARY KEY (device_id, container));
            CREATE INDEX assignments_release ON assignments (release_id);
            CREATE TABLE deployments (id text COLLATE "C" PRIMARY KEY, created_ticks bigint NOT NULL, revision bigint NOT NULL, doc json NOT NULL);
            """),
        (2, "group settings (poll interval and jitter per device group)", """
            CREATE TABLE group_settings (group_name text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
            """),
        (3, "job claims ledger (one row per job attempt: replica, claimed, finished, outcome)", """
            CREATE TABLE job_claims (job_id text COLLATE "C" NOT NULL, attempt integer NOT NULL, replica_id text NOT NULL,
                claimed_ticks bigint NOT NULL, finished_ticks bigint, outcome text, PRIMARY KEY (job_id, attempt));
            """),
        (4, "deployment clock (grows with every deployment save: replicas refresh when it moved)", """
            CREATE TABLE deployment_clock (id integer PRIMARY KEY CHECK (id = 1), version bigint NOT NULL);
            INSERT INTO deployment_clock (id, version) SELECT 1, coalesce(sum(revision), 0) FROM deployments;
            """),
    ];

    public static int CurrentVersion => Migrations[^1].Version;

    /// <summary>Brings the database to <see cref="CurrentVersion"/>; returns it.</summary>
    public static int Migrate(NpgsqlDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        using var connection = source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        Sql.Execute(connection, "SELECT pg_advisory_xact_lock($1, 0)", MigrationLock);
        Sql.Execute(connection, """
            CREATE TABLE IF NOT EXISTS ota_schema_migrations (version integer PRIMARY KEY, description text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """);
        var applied = Sql.Scalar<int>(connection, "SELECT coalesce(max(version), 0) FROM ota_schema_migrations");
        if (applied > CurrentVersion) throw new StoreSchemaTooNewException(applied, CurrentVersion);
        foreach (var (version, description, sql) in Migrations.Where(m => m.Version > applied))
        {
            Sql.Execute(connection, sql);
            Sql.Execute(connection, "INSERT INTO ota_schema_migrations (version, description) VALUES ($1, $2)", version, description);
        }
        transaction.Commit();
        return CurrentVersion;
    }
}
