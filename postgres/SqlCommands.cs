using Npgsql;
using NpgsqlTypes;

namespace AtymSecure.Postgres;

/// <summary>
/// The few command shapes the PostgreSQL stores use, with positional parameters (<c>$1</c>, <c>$2</c>…): values are
/// always parameters, never spliced into SQL text. A <see cref="JsonText"/> argument is sent as json, a
/// <c>string[]</c> as text[], a null as a text NULL.
/// </summary>
public static class SqlCommands
{
    public static int Execute(NpgsqlConnection connection, string sql, params object?[] args)
    {
        using var command = Create(connection, sql, args);
        return command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(NpgsqlConnection connection, string sql, params object?[] args)
    {
        using var command = Create(connection, sql, args);
        return command.ExecuteScalar() is T value ? value : default;
    }

    /// <summary>One value per row, read by <paramref name="read"/>, in row order.</summary>
    public static List<T> Rows<T>(NpgsqlConnection connection, string sql, Func<NpgsqlDataReader, T> read, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(read);
        using var command = Create(connection, sql, args);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(read(reader));
        return rows;
    }

    /// <summary>A command on <paramref name="connection"/> with <paramref name="args"/> bound to <c>$1</c>, <c>$2</c>…</summary>
    public static NpgsqlCommand Create(NpgsqlConnection connection, string sql, params object?[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(arg switch
            {
                JsonText json => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Json, Value = json.Text },
                string[] texts => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = texts },
                null => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = DBNull.Value },
                _ => new NpgsqlParameter { Value = arg },
            });
        }
        return command;
    }
}

/// <summary>A JSON document to be sent as a json parameter (kept as written: jsonb would refuse an escaped NUL).</summary>
public readonly record struct JsonText(string Text);
