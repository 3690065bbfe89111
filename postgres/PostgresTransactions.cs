using Npgsql;

namespace AtymSecure.Postgres;

/// <summary>
/// How the stores talk to their pool: a read on a pooled connection outside any transaction, or a write in one
/// transaction that commits all of it or none (an exception rolls back when the connection returns to the pool).
/// </summary>
public static class PostgresTransactions
{
    /// <summary>SQLSTATEs after which the whole transaction may simply run again: deadlock detected, serialization failure.</summary>
    private static readonly string[] Retriable = [PostgresErrorCodes.DeadlockDetected, PostgresErrorCodes.SerializationFailure];

    /// <summary>Runs <paramref name="work"/> on a pooled connection, outside any transaction (single-statement reads).</summary>
    public static T Read<T>(this NpgsqlDataSource source, Func<NpgsqlConnection, T> work)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(work);
        using var connection = source.OpenConnection();
        return work(connection);
    }

    /// <summary>Runs <paramref name="work"/> in one transaction on a pooled connection: all of it commits, or none.</summary>
    public static T Write<T>(this NpgsqlDataSource source, Func<NpgsqlConnection, T> work)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(work);
        using var connection = source.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var result = work(connection);
        transaction.Commit();
        return result;
    }

    /// <summary>
    /// <see cref="Write"/>, run again (up to <paramref name="attempts"/> times in all) when PostgreSQL aborts it as one side
    /// of a deadlock or a serialization failure: it was rolled back whole, so running it again is safe as long as
    /// <paramref name="work"/> does nothing outside the database.
    /// </summary>
    public static T WriteWithRetry<T>(this NpgsqlDataSource source, Func<NpgsqlConnection, T> work, int attempts = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempts, 1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return source.Write(work);
            }
            catch (PostgresException e) when (attempt < attempts && Retriable.Contains(e.SqlState))
            {
            }
        }
    }
}
