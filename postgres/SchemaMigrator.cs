using System.Text.RegularExpressions;
using Npgsql;

namespace AtymSecure.Postgres;

/// <summary>
/// A store's schema as numbered migrations, applied in order at start and recorded in the store's own table
/// (<see cref="Table"/>: version, description, when) in the same transaction as their DDL, so a crash leaves a migration
/// applied and recorded, or neither. Migrating is idempotent: versions already recorded are skipped. Two servers starting
/// at once serialize on an advisory lock (<see cref="LockKey"/>). A database recording a version above
/// <see cref="CurrentVersion"/> is refused (<see cref="StoreSchemaTooNewException"/>) before anything is touched.
/// Each store has its own table and lock key, so several stores (the OTA server's, the registry's) may share one database.
/// Append migrations; never edit one that has shipped.
/// </summary>
public sealed partial class SchemaMigrator
{
    /// <param name="store">The store's name in messages ("OTA store").</param>
    /// <param name="table">The table that records applied versions (a plain lower-case identifier).</param>
    /// <param name="lockKey">The first key of <c>pg_advisory_xact_lock(int, int)</c> held while migrating.</param>
    /// <param name="migrations">Versions 1, 2, 3… in order.</param>
    public SchemaMigrator(string store, string table, int lockKey, IReadOnlyList<SchemaMigration> migrations)
    {
        ArgumentException.ThrowIfNullOrEmpty(store);
        ArgumentNullException.ThrowIfNull(migrations);
        if (!Identifier().IsMatch(table)) throw new ArgumentException($"'{table}' is not a plain lower-case table name", nameof(table));
        if (migrations.Count == 0 || migrations.Select((m, i) => m.Version != i + 1).Any(wrong => wrong))
            throw new ArgumentException("migrations must be numbered 1, 2, 3… in order", nameof(migrations));
        Store = store;
        Table = table;
        LockKey = lockKey;
        Migrations = migrations;
    }

    public string Store { get; }

    public string Table { get; }

    public int LockKey { get; }

    public IReadOnlyList<SchemaMigration> Migrations { get; }

    public int CurrentVersion => Migrations[^1].Version;

    /// <summary>Brings the database to <see cref="CurrentVersion"/>; returns it.</summary>
    public int Migrate(NpgsqlDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return source.Write(connection =>
        {
            SqlCommands.Execute(connection, "SELECT pg_advisory_xact_lock($1, 0)", LockKey);
            SqlCommands.Execute(connection, $"""
                CREATE TABLE IF NOT EXISTS {Table} (version integer PRIMARY KEY, description text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """);
            var applied = SqlCommands.Scalar<int>(connection, $"SELECT coalesce(max(version), 0) FROM {Table}");
            if (applied > CurrentVersion) throw new StoreSchemaTooNewException(Store, applied, CurrentVersion);
            foreach (var migration in Migrations.Where(m => m.Version > applied))
            {
                SqlCommands.Execute(connection, migration.Sql);
                SqlCommands.Execute(connection, $"INSERT INTO {Table} (version, description) VALUES ($1, $2)", migration.Version, migration.Description);
            }
            return CurrentVersion;
        });
    }

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();
}
