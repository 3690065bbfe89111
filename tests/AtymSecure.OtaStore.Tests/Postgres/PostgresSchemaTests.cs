using AtymSecure.OtaStore.Postgres;
using AtymSecure.Postgres;
using AtymSecure.OtaStore.Tests.Contract;
using AtymSecure.TestSupport;
using Npgsql;

namespace AtymSecure.OtaStore.Tests.Postgres;

/// <summary>The schema migrations on a real server: a fresh database, a re-run, a newer schema, two servers starting at once.</summary>
[Trait("Requires", "postgres")]
public sealed class PostgresSchemaTests : IDisposable
{
    private readonly PostgresDatabaseFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_fresh_database_gets_every_migration_recorded_once()
    {
        Assert.Equal(PostgresSchema.CurrentVersion, _fixture.OpenDatabase().SchemaVersion);
        Assert.Equal(PostgresSchema.Migrations.Select(m => (m.Version, m.Description)), Recorded());
        Assert.Contains("deployments", Tables());
        Assert.Contains("audit", Tables());
    }

    [Fact]
    public void Migrating_again_changes_nothing_and_keeps_the_data()
    {
        var database = _fixture.OpenDatabase();
        Assert.True(new PostgresDeviceStore(database).TryAdd(Samples.Device("atym-1")));
        var before = Recorded();
        using (var source = NpgsqlDataSource.Create(_fixture.ConnectionString)) Assert.Equal(PostgresSchema.CurrentVersion, PostgresSchema.Migrate(source));
        var reopened = _fixture.OpenDatabase();
        Assert.Equal(before, Recorded());
        Assert.Equal(1, new PostgresDeviceStore(reopened).Find("atym-1")!.Revision);
    }

    [Fact]
    public void A_schema_newer_than_the_code_is_refused_naming_both_versions_and_left_alone()
    {
        _fixture.OpenDatabase().Dispose();
        var newer = PostgresSchema.CurrentVersion + 1;
        PostgresServer.Shared.Execute($"INSERT INTO ota_schema_migrations (version, description) VALUES ({newer}, 'from a newer server')", _fixture.Name);
        var refused = Assert.Throws<StoreSchemaTooNewException>(() => new PostgresDatabase(_fixture.ConnectionString));
        Assert.Equal((newer, PostgresSchema.CurrentVersion), (refused.DatabaseVersion, refused.KnownVersion));
        Assert.Contains($"version {newer}", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"version {PostgresSchema.CurrentVersion}", refused.Message, StringComparison.Ordinal);
        Assert.Equal(newer, Recorded().Max(r => r.Version));
    }

    [Fact]
    public async Task Two_servers_starting_at_once_on_a_fresh_database_both_start_and_migrate_once()
    {
        using var start = new Barrier(2);
        var opened = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return new PostgresDatabase(_fixture.ConnectionString);
        })).ToArray();
        foreach (var database in await Task.WhenAll(opened)) database.Dispose();
        Assert.Equal(PostgresSchema.Migrations.Select(m => (m.Version, m.Description)), Recorded());
    }

    private List<(int Version, string Description)> Recorded()
    {
        using var connection = new NpgsqlConnection(_fixture.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT version, description FROM ota_schema_migrations ORDER BY version", connection);
        using var reader = command.ExecuteReader();
        var rows = new List<(int, string)>();
        while (reader.Read()) rows.Add((reader.GetInt32(0), reader.GetString(1)));
        return rows;
    }

    private List<string> Tables()
    {
        using var connection = new NpgsqlConnection(_fixture.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'", connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read()) rows.Add(reader.GetString(0));
        return rows;
    }
}
