using Npgsql;

namespace AtymSecure.Postgres;

/// <summary>
/// Opens a store's connection pool (<see cref="NpgsqlDataSource"/>, one per process and store) from a <c>postgres://</c>
/// URL or an Npgsql connection string, checks that the server answers (else <see cref="StoreConnectionException"/>), and
/// brings the schema up to date with the store's <see cref="SchemaMigrator"/> (or refuses a newer one,
/// <see cref="StoreSchemaTooNewException"/>). On any failure the pool is closed again.
/// </summary>
public static class PostgresPool
{
    /// <summary>The migrated pool and its schema version; <see cref="FormatException"/> for a malformed URL.</summary>
    public static (NpgsqlDataSource Source, int SchemaVersion) Open(string connection, SchemaMigrator schema)
    {
        ArgumentException.ThrowIfNullOrEmpty(connection);
        ArgumentNullException.ThrowIfNull(schema);
        var isUrl = PostgresConnectionUrl.IsUrl(connection);
        var connectionString = isUrl ? PostgresConnectionUrl.ToConnectionString(connection) : connection;
        var source = NpgsqlDataSource.Create(connectionString);
        try
        {
            Probe(source, isUrl ? PostgresConnectionUrl.Redact(connection) : Describe(connectionString), schema.Store);
            return (source, schema.Migrate(source));
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    private static void Probe(NpgsqlDataSource source, string target, string store)
    {
        try
        {
            using var probe = source.OpenConnection();
        }
        catch (PostgresException e)
        {
            throw new StoreConnectionException(store, target, $"the server refused: {e.MessageText} (SQLSTATE {e.SqlState})", e);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            var reason = e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
            throw new StoreConnectionException(store, target, $"the server cannot be reached: {reason}", e);
        }
    }

    /// <summary>Host, port and database of a connection string, for messages (never its password).</summary>
    private static string Describe(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
