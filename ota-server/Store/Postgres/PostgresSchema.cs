using AtymSecure.Postgres;
using Npgsql;

namespace AtymSecure.OtaStore.Postgres;

/// <summary>
/// The OTA store's schema on PostgreSQL: its numbered migrations, recorded in <c>ota_schema_migrations</c> and applied at
/// start by the shared <see cref="SchemaMigrator"/> (idempotent, serialized across servers, refusing a newer schema with
/// <see cref="StoreSchemaTooNewException"/>). Append migrations; never edit one that has shipped.
/// </summary>
public static class PostgresSchema
{
    /// <summary>Advisory lock class ids (the first key of <c>pg_advisory_xact_lock(int, int)</c>) used by the stores.</summary>
    internal const int MigrationLock = 0x6f7461, AuditLock = 0x6f7462, ReportLock = 0x6f7463;

    /// <summary>The migrations, version 1 first.</summary>
    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, "tokens, devices, keys, reports, audit, releases, jobs, assignments, deployments", """
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
        new(2, "group settings (poll interval and jitter per device group)", """
            CREATE TABLE group_settings (group_name text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
            """),
        new(3, "hawkBit DDI targets, gateway tokens and actions", """
            CREATE TABLE ddi_targets (controller_id text COLLATE "C" PRIMARY KEY, revision bigint NOT NULL, doc json NOT NULL);
            CREATE TABLE ddi_gateway_tokens (tenant text COLLATE "C" PRIMARY KEY, doc json NOT NULL);
            CREATE TABLE ddi_actions (id bigint PRIMARY KEY, controller_id text COLLATE "C" NOT NULL, doc json NOT NULL);
            CREATE INDEX ddi_actions_controller ON ddi_actions (controller_id, id);
            """),
    ];

    /// <summary>The runner over <see cref="Migrations"/> (table <c>ota_schema_migrations</c>, lock <see cref="MigrationLock"/>).</summary>
    public static SchemaMigrator Migrator { get; } = new("OTA store", "ota_schema_migrations", MigrationLock, Migrations);

    public static int CurrentVersion => Migrator.CurrentVersion;

    /// <summary>Brings the database to <see cref="CurrentVersion"/>; returns it.</summary>
    public static int Migrate(NpgsqlDataSource source) => Migrator.Migrate(source);
}
