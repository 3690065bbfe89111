using Npgsql;

namespace AtymSecure.OtaStore.Postgres;

/// <summary>
/// <see cref="IRolloutLock"/> on PostgreSQL: a session-level advisory lock (<c>pg_advisory_lock</c>, class
/// <see cref="PostgresSchema.RolloutLock"/>) on a connection of its own, held while a decision runs — it spans the
/// decision's several store transactions, which a transaction-scoped lock could not. The connection is closed on
/// release rather than returned to the pool, so an unlock that fails cannot leave a pooled session holding the lock; a
/// replica killed while holding it loses its connection, and PostgreSQL releases the lock with it.
/// </summary>
public sealed class PostgresRolloutLock(PostgresDatabase database) : IRolloutLock
{
    public bool Shared => true;

    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken ct = default)
    {
        var connection = await database.OpenUnpooledAsync(ct).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_lock($1, 0)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = PostgresSchema.RolloutLock });
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            return new Held(connection);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private sealed class Held(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1, 0)", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = PostgresSchema.RolloutLock });
                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
