using AtymSecure.Postgres;
using Npgsql;

namespace AtymSecure.Registry.Storage.Postgres;

/// <summary>
/// The PostgreSQL counterpart of LiteDB's <c>metadata.lock</c>: a session advisory lock on one connection the store keeps
/// open for its lifetime (the server drops it when the process dies, even on kill -9). Serving registries hold it shared,
/// so any number of replicas run side by side; <c>atym registry gc</c> needs it exclusive, so it is refused while any
/// registry serves the database — a sweep deleting a blob while a replica re-commits it could otherwise drop the new
/// blob link (the same rule as with LiteDB: collect with the registries stopped).
/// </summary>
internal sealed class RegistryProcessLock : IDisposable
{
    /// <summary>The second key of the lock (the first is the registry's class id).</summary>
    private const int ProcessKey = 1;

    private readonly NpgsqlConnection _connection;

    private RegistryProcessLock(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Takes the lock shared (a serving registry; waits only behind a running collection) or exclusive (garbage collection).</summary>
    public static RegistryProcessLock Acquire(NpgsqlDataSource source, MetadataStoreAccess access)
    {
        var connection = source.OpenConnection();
        try
        {
            var taken = SqlCommands.Scalar<bool>(connection, access == MetadataStoreAccess.Exclusive
                ? "SELECT pg_try_advisory_lock($1, $2)" : "SELECT pg_try_advisory_lock_shared($1, $2)", RegistrySchema.ProcessLock, ProcessKey);
            if (!taken)
            {
                throw new IOException(access == MetadataStoreAccess.Exclusive
                    ? "the registry metadata database is in use by a running registry (every replica holds a shared lock; stop them to collect garbage)"
                    : "the registry metadata database is locked by a running garbage collection (atym registry gc); start the registry when it has finished");
            }
            return new RegistryProcessLock(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        if (_connection.State != System.Data.ConnectionState.Open)
        {
            _connection.Dispose();
            return;
        }
        try
        {
            SqlCommands.Execute(_connection, "SELECT pg_advisory_unlock_all()");
        }
        catch (NpgsqlException)
        {
            // The connection is gone, and the lock with it.
        }
        _connection.Dispose();
    }
}
