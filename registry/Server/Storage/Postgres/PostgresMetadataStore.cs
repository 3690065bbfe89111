using AtymSecure.Postgres;
using Npgsql;

namespace AtymSecure.Registry.Storage.Postgres;

/// <summary>
/// The registry's metadata on PostgreSQL, for several registry processes (replicas) sharing one database and one blob
/// store. Opening it connects and migrates (<see cref="RegistrySchema"/>); it refuses a newer schema
/// (<see cref="StoreSchemaTooNewException"/>) or a database it cannot open (<see cref="StoreConnectionException"/>).
/// <para>
/// Unlike <see cref="LiteDbMetadataStore"/> it keeps no read cache: another replica may move a tag or delete a manifest at
/// any time, and a cached answer would be stale. Every multi-row change is one transaction: a manifest and its tags commit
/// together (a tag never points at a manifest record that was not written), a manifest delete takes its tags with it. Two
/// replicas moving one tag serialize on the tag's row lock (last commit wins, never a mix); rows are always locked in one
/// order (the manifest, then its tags in ordinal order) so concurrent pushes cannot deadlock each other, and a transaction
/// PostgreSQL still aborts as a deadlock or serialization victim is run again whole (<see cref="PostgresTransactions.WriteWithRetry"/>).
/// Inserts that may race (blob links) use <c>ON CONFLICT</c>, so two replicas linking one blob both succeed.
/// </para>
/// </summary>
public sealed class PostgresMetadataStore : IMetadataStore
{
    private const string ManifestColumns = "repository, digest, media_type, size, subject, artifact_type, annotations, blobs, children, pushed_ms";
    private readonly NpgsqlDataSource _source;
    private readonly RegistryProcessLock _processLock;
    private int _disposed;

    /// <param name="connection">A <c>postgres://user@host:port/db</c> URL or an Npgsql connection string.</param>
    /// <param name="access">Serving (shared with other replicas) or exclusive (garbage collection, <see cref="RegistryProcessLock"/>);
    /// a lock that cannot be had is an <see cref="IOException"/>.</param>
    public PostgresMetadataStore(string connection, MetadataStoreAccess access = MetadataStoreAccess.Serving)
    {
        (_source, SchemaVersion) = PostgresPool.Open(connection, RegistrySchema.Migrator);
        try
        {
            _processLock = RegistryProcessLock.Acquire(_source, access);
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    /// <summary>The schema version after migration.</summary>
    public int SchemaVersion { get; }

    public bool RepositoryExists(string repository) => _source.Read(c => SqlCommands.Scalar<bool>(c, """
        SELECT EXISTS (SELECT 1 FROM registry_tags WHERE repository = $1) OR EXISTS (SELECT 1 FROM registry_manifests WHERE repository = $1)
            OR EXISTS (SELECT 1 FROM registry_blob_links WHERE repository = $1)
        """, repository));

    public bool HasBlobLink(string repository, string digest) =>
        _source.Read(c => SqlCommands.Scalar<bool>(c, "SELECT EXISTS (SELECT 1 FROM registry_blob_links WHERE repository = $1 AND digest = $2)",
            repository, digest));

    public void AddBlobLink(string repository, string digest) =>
        _source.Read(c => SqlCommands.Execute(c, "INSERT INTO registry_blob_links (repository, digest) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            repository, digest));

    public bool RemoveBlobLink(string repository, string digest) =>
        _source.Read(c => SqlCommands.Execute(c, "DELETE FROM registry_blob_links WHERE repository = $1 AND digest = $2", repository, digest)) > 0;

    public IReadOnlyList<string> RepositoriesWithBlob(string digest) =>
        _source.Read(c => SqlCommands.Rows(c, "SELECT repository FROM registry_blob_links WHERE digest = $1 ORDER BY repository",
            r => r.GetString(0), digest));

    public void RemoveAllBlobLinks(string digest) =>
        _source.Read(c => SqlCommands.Execute(c, "DELETE FROM registry_blob_links WHERE digest = $1", digest));

    public ManifestRecord? GetManifest(string repository, string digest) =>
        _source.Read(c => SqlCommands.Rows(c, $"SELECT {ManifestColumns} FROM registry_manifests WHERE repository = $1 AND digest = $2",
            ReadManifest, repository, digest)).FirstOrDefault();

    public string? ResolveTag(string repository, string tag) =>
        _source.Read(c => SqlCommands.Scalar<string>(c, "SELECT digest FROM registry_tags WHERE repository = $1 AND tag = $2", repository, tag));

    public void PutManifest(ManifestRecord manifest, IReadOnlyCollection<string> tags)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(tags);
        manifest.Id = ManifestRecord.Key(manifest.Repository, manifest.Digest);
        var ordered = tags.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        _source.WriteWithRetry(c =>
        {
            SqlCommands.Execute(c, $"""
                INSERT INTO registry_manifests ({ManifestColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                ON CONFLICT (repository, digest) DO UPDATE SET media_type = excluded.media_type, size = excluded.size, subject = excluded.subject,
                    artifact_type = excluded.artifact_type, annotations = excluded.annotations, blobs = excluded.blobs,
                    children = excluded.children, pushed_ms = excluded.pushed_ms
                """, manifest.Repository, manifest.Digest, manifest.MediaType, manifest.Size, manifest.Subject, manifest.ArtifactType,
                manifest.AnnotationsJson, manifest.Blobs.ToArray(), manifest.Children.ToArray(), manifest.PushedUnixMs);
            foreach (var tag in ordered)
            {
                SqlCommands.Execute(c, """
                    INSERT INTO registry_tags (repository, tag, digest) VALUES ($1, $2, $3)
                    ON CONFLICT (repository, tag) DO UPDATE SET digest = excluded.digest
                    """, manifest.Repository, tag, manifest.Digest);
            }
            return 0;
        });
    }

    public bool DeleteManifest(string repository, string digest) => _source.WriteWithRetry(c =>
    {
        var manifests = SqlCommands.Execute(c, "DELETE FROM registry_manifests WHERE repository = $1 AND digest = $2", repository, digest);
        var tags = SqlCommands.Execute(c, "DELETE FROM registry_tags WHERE repository = $1 AND digest = $2", repository, digest);
        return manifests + tags > 0;
    });

    public bool DeleteTag(string repository, string tag) =>
        _source.Read(c => SqlCommands.Execute(c, "DELETE FROM registry_tags WHERE repository = $1 AND tag = $2", repository, tag)) > 0;

    public IReadOnlyList<string> ListTags(string repository, string? last, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return _source.Read(c => SqlCommands.Rows(c, "SELECT tag FROM registry_tags WHERE repository = $1 AND tag > $2 ORDER BY tag LIMIT $3",
            r => r.GetString(0), repository, last ?? "", (long)limit + 1));
    }

    public IReadOnlyList<ManifestRecord> ListReferrers(string repository, string subject) =>
        _source.Read(c => SqlCommands.Rows(c, $"SELECT {ManifestColumns} FROM registry_manifests WHERE repository = $1 AND subject = $2 ORDER BY digest",
            ReadManifest, repository, subject));

    /// <summary>In the order of the LiteDB store's keys (<c>repository@digest</c>, ordinal).</summary>
    public IEnumerable<ManifestRecord> AllManifests() =>
        _source.Read(c => SqlCommands.Rows(c, $"SELECT {ManifestColumns} FROM registry_manifests ORDER BY (repository || '@' || digest) COLLATE \"C\"",
            ReadManifest));

    public void AddUpload(UploadSessionRecord upload)
    {
        ArgumentNullException.ThrowIfNull(upload);
        try
        {
            _source.Read(c => SqlCommands.Execute(c, "INSERT INTO registry_uploads (id, repository, algorithm, created_ms) VALUES ($1, $2, $3, $4)",
                upload.Id, upload.Repository, upload.Algorithm, upload.CreatedUnixMs));
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            throw new UploadIdTakenException(upload.Id, e);
        }
    }

    public UploadSessionRecord? GetUpload(string id) =>
        _source.Read(c => SqlCommands.Rows(c, "SELECT id, repository, algorithm, created_ms FROM registry_uploads WHERE id = $1", ReadUpload, id))
            .FirstOrDefault();

    public void RemoveUpload(string id) => _source.Read(c => SqlCommands.Execute(c, "DELETE FROM registry_uploads WHERE id = $1", id));

    public IReadOnlyList<UploadSessionRecord> ListUploads() =>
        _source.Read(c => SqlCommands.Rows(c, "SELECT id, repository, algorithm, created_ms FROM registry_uploads ORDER BY id", ReadUpload));

    /// <summary>Releases the process lock and closes the pool; a second call does nothing.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _processLock.Dispose();
        _source.Dispose();
    }

    private static ManifestRecord ReadManifest(NpgsqlDataReader r)
    {
        var repository = r.GetString(0);
        var digest = r.GetString(1);
        return new ManifestRecord
        {
            Id = ManifestRecord.Key(repository, digest), Repository = repository, Digest = digest, MediaType = r.GetString(2), Size = r.GetInt64(3),
            Subject = r.IsDBNull(4) ? null : r.GetString(4), ArtifactType = r.IsDBNull(5) ? null : r.GetString(5),
            AnnotationsJson = r.IsDBNull(6) ? null : r.GetString(6), Blobs = [.. r.GetFieldValue<string[]>(7)],
            Children = [.. r.GetFieldValue<string[]>(8)], PushedUnixMs = r.GetInt64(9),
        };
    }

    private static UploadSessionRecord ReadUpload(NpgsqlDataReader r) => new()
    {
        Id = r.GetString(0), Repository = r.GetString(1), Algorithm = r.GetString(2), CreatedUnixMs = r.GetInt64(3),
    };
}
