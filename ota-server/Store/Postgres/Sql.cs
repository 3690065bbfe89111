using Npgsql;
using NpgsqlTypes;

namespace AtymSecure.OtaStore.Postgres;

/// <summary>
/// The few command shapes the PostgreSQL stores use, with positional parameters (<c>$1</c>, <c>$2</c>…): values are
/// always parameters, never spliced into SQL text. A <see cref="Json"/> argument is sent as json.
/// </summary>
internal static class Sql
{
    /// <summary>A record's JSON (<see cref="StoreJson"/>) to be sent as a json parameter.</summary>
    internal readonly record struct Json(string Text)
    {
        internal static Json Of<T>(T value) => new(StoreJson.Serialize(value));
    }

    internal static int Execute(NpgsqlConnection connection, string sql, params object?[] args)
    {
        using var command = Command(connection, sql, args);
        return command.ExecuteNonQuery();
    }

    internal static T? Scalar<T>(NpgsqlConnection connection, string sql, params object?[] args)
    {
        using var command = Command(connection, sql, args);
        return command.ExecuteScalar() is T value ? value : default;
    }

    /// <summary>The records whose JSON is the first column of each row, in row order.</summary>
    internal static List<T> Documents<T>(NpgsqlConnection connection, string sql, params object?[] args)
        where T : class
    {
        using var command = Command(connection, sql, args);
        using var reader = command.ExecuteReader();
        var found = new List<T>();
        while (reader.Read()) found.Add(StoreJson.Deserialize<T>(reader.GetString(0)));
        return found;
    }

    internal static T? Document<T>(NpgsqlConnection connection, string sql, params object?[] args)
        where T : class => Documents<T>(connection, sql, args).FirstOrDefault();

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
        {
            command.Parameters.Add(arg switch
            {
                Json json => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Json, Value = json.Text },
                string[] texts => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, Value = texts },
                null => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text, Value = DBNull.Value },
                _ => new NpgsqlParameter { Value = arg },
            });
        }
        return command;
    }
}
