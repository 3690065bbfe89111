using AtymSecure.Postgres;
using Npgsql;

namespace AtymSecure.OtaStore.Postgres;

/// <summary>
/// The OTA server's store on PostgreSQL: one <see cref="NpgsqlDataSource"/> (a connection pool) per process, shared by
/// every PostgreSQL store, the counterpart of <see cref="LiteDb.OtaDatabase"/>. Opening it brings the schema up to date
/// (<see cref="PostgresSchema"/>), or refuses a schema newer than this code. Unlike LiteDB's one-process lock, several
/// server processes may share one database, so every read-then-write runs in one transaction and takes the row lock or
/// the advisory lock it needs (each store says which): two writers cannot both win, and a crash keeps all or nothing.
/// Records are kept as the same JSON as the LiteDB store's (<see cref="StoreJson"/>), in a json column (kept as written:
/// jsonb would refuse an escaped NUL that LiteDB stores, and no query looks inside a document), with the few fields
/// queries need copied beside it; text keys use the "C" collation so orders are ordinal, as in LiteDB.
/// </summary>
public sealed class PostgresDatabase : IDisposable
{
    private readonly NpgsqlDataSource _source;
    private readonly NpgsqlDataSource _unpooled;

    /// <summary>Connects with an Npgsql connection string (or a <c>postgres://</c> URL, <see cref="PostgresConnectionUrl"/>)
    /// and migrates the schema; throws <see cref="StoreSchemaTooNewException"/> when the database is ahead of this code,
    /// <see cref="StoreConnectionException"/> when the server cannot be reached or refuses the login.</summary>
    public PostgresDatabase(string connection)
    {
        (_source, SchemaVersion) = PostgresPool.Open(connection, PostgresSchema.Migrator);
        // The same server and login outside the pool, for session locks: reached and migrated through the pool above.
        var connectionString = PostgresConnectionUrl.IsUrl(connection) ? PostgresConnectionUrl.ToConnectionString(connection) : connection;
        _unpooled = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
    }

    /// <summary>The schema version after migration (<see cref="PostgresSchema.CurrentVersion"/>).</summary>
    public int SchemaVersion { get; }

    /// <summary>Runs <paramref name="work"/> on a pooled connection, outside any transaction (single-statement reads).</summary>
    internal T Read<T>(Func<NpgsqlConnection, T> work) => _source.Read(work);

    /// <summary>Runs <paramref name="work"/> in one transaction on a pooled connection: all of it commits, or none.</summary>
    internal T Write<T>(Func<NpgsqlConnection, T> work) => _source.Write(work);

    /// <summary>A connection of its own, outside the pool, for a session-level lock (<see cref="PostgresRolloutLock"/>): closing
    /// it ends the session, and every lock the session held.</summary>
    internal async Task<NpgsqlConnection> OpenUnpooledAsync(CancellationToken ct) => await _unpooled.OpenConnectionAsync(ct).ConfigureAwait(false);

    public void Dispose()
    {
        _source.Dispose();
        _unpooled.Dispose();
    }
}
