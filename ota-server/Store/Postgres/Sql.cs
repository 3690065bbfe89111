using AtymSecure.Postgres;
using Npgsql;

namespace AtymSecure.OtaStore.Postgres;

/// <summary>
/// The OTA store's commands: the shared parameterised shapes (<see cref="SqlCommands"/>) plus records read and written as
/// the store's JSON (<see cref="StoreJson"/>), the same documents as the LiteDB store's.
/// </summary>
internal static class Sql
{
    /// <summary>A record's JSON (<see cref="StoreJson"/>) to be sent as a json parameter.</summary>
    internal static class Json
    {
        internal static JsonText Of<T>(T value) => new(StoreJson.Serialize(value));
    }

    internal static int Execute(NpgsqlConnection connection, string sql, params object?[] args) => SqlCommands.Execute(connection, sql, args);

    internal static T? Scalar<T>(NpgsqlConnection connection, string sql, params object?[] args) => SqlCommands.Scalar<T>(connection, sql, args);

    /// <summary>The records whose JSON is the first column of each row, in row order.</summary>
    internal static List<T> Documents<T>(NpgsqlConnection connection, string sql, params object?[] args)
        where T : class => SqlCommands.Rows(connection, sql, reader => StoreJson.Deserialize<T>(reader.GetString(0)), args);

    internal static T? Document<T>(NpgsqlConnection connection, string sql, params object?[] args)
        where T : class => Documents<T>(connection, sql, args).FirstOrDefault();
}
