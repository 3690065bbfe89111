using AtymSecure.Registry.Storage;
using AtymSecure.Registry.Storage.Postgres;
using AtymSecure.Registry.Tests.Storage.Contract;
using AtymSecure.TestSupport;

namespace AtymSecure.Registry.Tests.Storage.Postgres;

/// <summary>
/// A fresh database on the test run's PostgreSQL server (<see cref="PostgresServer.Shared"/>) per fixture, dropped at the
/// end. <see cref="Open"/> connects through the <c>postgres://</c> URL (migrating), <see cref="Reopen"/> closes the pool and
/// connects again (a restart), <see cref="Peer"/> is a second store on the same database (a second registry process).
/// </summary>
public sealed class PostgresMetadataStoreFixture : IMetadataStoreFixture
{
    private PostgresMetadataStore? _store;
    private PostgresMetadataStore? _peer;

    public string Name { get; } = PostgresServer.Shared.CreateDatabase("registry_metadata");

    public string Url => PostgresServer.Shared.Url(Name);

    public IMetadataStore Open()
    {
        _store?.Dispose();
        _store = new PostgresMetadataStore(Url);
        return _store;
    }

    public IMetadataStore Reopen() => Open();

    public IMetadataStore Peer() => _peer ??= new PostgresMetadataStore(Url);

    public void Dispose()
    {
        _store?.Dispose();
        _peer?.Dispose();
        PostgresServer.Shared.DropDatabase(Name);
    }
}

[Trait("Requires", "postgres")]
public sealed class PostgresManifestAndTagTests() : ManifestAndTagContract(new PostgresMetadataStoreFixture());

[Trait("Requires", "postgres")]
public sealed class PostgresBlobLinkAndUploadTests() : BlobLinkAndUploadContract(new PostgresMetadataStoreFixture());

[Trait("Requires", "postgres")]
public sealed class PostgresConcurrentWriterTests() : ConcurrentWriterContract(new PostgresMetadataStoreFixture());
