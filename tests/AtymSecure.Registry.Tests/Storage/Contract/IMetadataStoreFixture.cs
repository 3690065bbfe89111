using AtymSecure.Registry.Storage;

namespace AtymSecure.Registry.Tests.Storage.Contract;

/// <summary>
/// One <see cref="IMetadataStore"/> implementation under test, over a fresh, empty database per fixture. The contract
/// classes in this folder take one of these, so LiteDB and PostgreSQL pass the very same tests.
/// </summary>
public interface IMetadataStoreFixture : IDisposable
{
    /// <summary>The store (closing any the fixture opened before).</summary>
    IMetadataStore Open();

    /// <summary>Closes the store <see cref="Open"/> returned and opens the same data again (a process restart).</summary>
    IMetadataStore Reopen();

    /// <summary>
    /// The handle a concurrent writer uses: another store on the same database for PostgreSQL (a second registry
    /// process), the same store for LiteDB (one process per data folder, so its concurrency is between threads).
    /// </summary>
    IMetadataStore Peer();
}
