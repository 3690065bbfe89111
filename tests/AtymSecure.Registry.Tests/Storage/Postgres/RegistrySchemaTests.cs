using AtymSecure.Postgres;
using AtymSecure.Registry.Storage.Postgres;
using AtymSecure.TestSupport;
using static AtymSecure.Registry.Tests.Storage.Contract.MetadataSamples;

namespace AtymSecure.Registry.Tests.Storage.Postgres;

/// <summary>The registry's schema on a real server: recorded once, kept across restarts, a newer one refused, shareable with the OTA store.</summary>
[Trait("Requires", "postgres")]
public sealed class RegistrySchemaTests : IDisposable
{
    private readonly PostgresMetadataStoreFixture _fixture = new();

    public void Dispose() => _fixture.Dispose();

    [Fact]
    public void A_fresh_database_gets_every_migration_once_and_a_restart_keeps_the_data()
    {
        var store = _fixture.Open();
        Assert.Equal(RegistrySchema.CurrentVersion, ((PostgresMetadataStore)store).SchemaVersion);
        store.PutManifest(Manifest("app", "kept"), ["v1"]);
        Assert.Equal(DigestOf("kept"), _fixture.Reopen().ResolveTag("app", "v1"));
        Assert.Equal(RegistrySchema.Migrations.Count, Scalar<long>("SELECT count(*) FROM registry_schema_migrations"));
    }

    [Fact]
    public void A_schema_newer_than_the_registry_is_refused_naming_both_versions_and_left_alone()
    {
        _fixture.Open().Dispose();
        var newer = RegistrySchema.CurrentVersion + 1;
        PostgresServer.Shared.Execute($"INSERT INTO registry_schema_migrations (version, description) VALUES ({newer}, 'from a newer registry')", _fixture.Name);
        var refused = Assert.Throws<StoreSchemaTooNewException>(() => new PostgresMetadataStore(_fixture.Url));
        Assert.Equal(("registry metadata store", newer, RegistrySchema.CurrentVersion), (refused.Store, refused.DatabaseVersion, refused.KnownVersion));
        Assert.StartsWith($"the registry metadata store's database schema is version {newer}, newer than version {RegistrySchema.CurrentVersion}",
            refused.Message, StringComparison.Ordinal);
        Assert.Equal(newer, Scalar<int>("SELECT max(version) FROM registry_schema_migrations"));
    }

    [Fact]
    public void The_registry_tables_live_beside_other_stores_in_one_database()
    {
        PostgresServer.Shared.Execute("CREATE TABLE ota_schema_migrations (version integer PRIMARY KEY, description text NOT NULL)", _fixture.Name);
        PostgresServer.Shared.Execute("INSERT INTO ota_schema_migrations VALUES (99, 'another store, far ahead')", _fixture.Name);
        Assert.Equal(RegistrySchema.CurrentVersion, ((PostgresMetadataStore)_fixture.Open()).SchemaVersion);
    }

    private T Scalar<T>(string sql)
    {
        using var source = Npgsql.NpgsqlDataSource.Create(PostgresServer.Shared.ConnectionString(_fixture.Name));
        return source.Read(c => SqlCommands.Scalar<T>(c, sql))!;
    }
}
