using AtymSecure.Postgres;

namespace AtymSecure.Registry.Storage.Postgres;

/// <summary>
/// The registry metadata store's schema on PostgreSQL, recorded in <c>registry_schema_migrations</c> and applied at start by
/// the shared <see cref="SchemaMigrator"/> (idempotent, serialized across replicas, refusing a newer schema with
/// <see cref="StoreSchemaTooNewException"/>). Every table is prefixed <c>registry_</c> and the migration table and lock are
/// the registry's own, so the registry and the OTA server may share one database. Text keys use the "C" collation: tag
/// lists and referrers sort by byte order, as in the LiteDB store (names and tags are ASCII). Append migrations; never edit
/// one that has shipped.
/// </summary>
public static class RegistrySchema
{
    /// <summary>Advisory lock class ids (the first key of <c>pg_advisory_xact_lock(int, int)</c>): 'reg' + n.</summary>
    internal const int MigrationLock = 0x726567, ProcessLock = 0x726568;

    public static IReadOnlyList<SchemaMigration> Migrations { get; } =
    [
        new(1, "manifests, tags, blob links, upload sessions", """
            CREATE TABLE registry_manifests (
                repository text COLLATE "C" NOT NULL, digest text COLLATE "C" NOT NULL, media_type text NOT NULL, size bigint NOT NULL,
                subject text COLLATE "C", artifact_type text, annotations text, blobs text[] NOT NULL, children text[] NOT NULL,
                pushed_ms bigint NOT NULL, PRIMARY KEY (repository, digest));
            CREATE INDEX registry_manifests_subject ON registry_manifests (repository, subject, digest) WHERE subject IS NOT NULL;
            CREATE TABLE registry_tags (repository text COLLATE "C" NOT NULL, tag text COLLATE "C" NOT NULL, digest text COLLATE "C" NOT NULL,
                PRIMARY KEY (repository, tag));
            CREATE INDEX registry_tags_digest ON registry_tags (repository, digest);
            CREATE TABLE registry_blob_links (repository text COLLATE "C" NOT NULL, digest text COLLATE "C" NOT NULL, PRIMARY KEY (repository, digest));
            CREATE INDEX registry_blob_links_digest ON registry_blob_links (digest);
            CREATE TABLE registry_uploads (id text COLLATE "C" PRIMARY KEY, repository text COLLATE "C" NOT NULL, algorithm text NOT NULL,
                created_ms bigint NOT NULL);
            """),
    ];

    /// <summary>The runner over <see cref="Migrations"/>.</summary>
    public static SchemaMigrator Migrator { get; } = new("registry metadata store", "registry_schema_migrations", MigrationLock, Migrations);

    public static int CurrentVersion => Migrator.CurrentVersion;
}
