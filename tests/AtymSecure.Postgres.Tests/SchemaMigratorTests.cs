using AtymSecure.TestSupport;
using Npgsql;

namespace AtymSecure.Postgres.Tests;

/// <summary>The shared migration runner on a real server, with a small store of its own (two migrations).</summary>
[Trait("Requires", "postgres")]
public sealed class SchemaMigratorTests : IDisposable
{
    private static readonly SchemaMigrator Schema = new("sample store", "sample_schema_migrations", 0x73616d, [
        new(1, "notes", "CREATE TABLE sample_notes (id text PRIMARY KEY, body text NOT NULL)"),
        new(2, "note authors", "ALTER TABLE sample_notes ADD COLUMN author text"),
    ]);

    private readonly string _database = PostgresServer.Shared.CreateDatabase("migrator");

    public void Dispose() => PostgresServer.Shared.DropDatabase(_database);

    private string ConnectionString => PostgresServer.Shared.ConnectionString(_database);

    [Fact]
    public void A_fresh_database_gets_every_migration_once_and_a_rerun_keeps_the_data()
    {
        var (source, version) = PostgresPool.Open(ConnectionString, Schema);
        using (source)
        {
            Assert.Equal(2, version);
            source.Write(c => SqlCommands.Execute(c, "INSERT INTO sample_notes (id, body, author) VALUES ($1, $2, $3)", "n1", "kept", "ada"));
            Assert.Equal(2, Schema.Migrate(source));
        }
        var (again, _) = PostgresPool.Open(PostgresServer.Shared.Url(_database), Schema);
        using (again)
        {
            Assert.Equal([(1, "notes"), (2, "note authors")], Recorded(again));
            Assert.Equal("kept", again.Read(c => SqlCommands.Scalar<string>(c, "SELECT body FROM sample_notes WHERE id = $1", "n1")));
        }
    }

    [Fact]
    public void An_older_schema_is_brought_forward_by_the_missing_migrations_only()
    {
        var first = new SchemaMigrator(Schema.Store, Schema.Table, Schema.LockKey, [Schema.Migrations[0]]);
        using (PostgresPool.Open(ConnectionString, first).Source) { }
        var (source, version) = PostgresPool.Open(ConnectionString, Schema);
        using (source)
        {
            Assert.Equal(2, version);
            Assert.Equal([(1, "notes"), (2, "note authors")], Recorded(source));
        }
    }

    [Fact]
    public void A_newer_schema_is_refused_naming_the_store_and_both_versions_and_is_left_alone()
    {
        using (PostgresPool.Open(ConnectionString, Schema).Source) { }
        PostgresServer.Shared.Execute("INSERT INTO sample_schema_migrations (version, description) VALUES (3, 'from a newer server')", _database);
        var refused = Assert.Throws<StoreSchemaTooNewException>(() => PostgresPool.Open(ConnectionString, Schema));
        Assert.Equal(("sample store", 3, 2), (refused.Store, refused.DatabaseVersion, refused.KnownVersion));
        Assert.StartsWith("the sample store's database schema is version 3, newer than version 2", refused.Message, StringComparison.Ordinal);
        using var source = NpgsqlDataSource.Create(ConnectionString);
        Assert.Equal(3, Recorded(source).Max(r => r.Version));
    }

    [Fact]
    public async Task Two_servers_starting_at_once_both_start_and_migrate_once()
    {
        using var start = new Barrier(2);
        var opened = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return PostgresPool.Open(ConnectionString, Schema).Source;
        })).ToArray();
        foreach (var source in await Task.WhenAll(opened)) source.Dispose();
        using var check = NpgsqlDataSource.Create(ConnectionString);
        Assert.Equal([(1, "notes"), (2, "note authors")], Recorded(check));
    }

    [Fact]
    public void Migrations_out_of_order_or_a_table_name_that_is_not_an_identifier_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new SchemaMigrator("s", "t", 1, [new(2, "two", "SELECT 1")]));
        Assert.Throws<ArgumentException>(() => new SchemaMigrator("s", "t", 1, []));
        Assert.Throws<ArgumentException>(() => new SchemaMigrator("s", "t; DROP TABLE x", 1, [new(1, "one", "SELECT 1")]));
    }

    private static List<(int Version, string Description)> Recorded(NpgsqlDataSource source) =>
        source.Read(c => SqlCommands.Rows(c, "SELECT version, description FROM sample_schema_migrations ORDER BY version",
            r => (r.GetInt32(0), r.GetString(1))));
}
