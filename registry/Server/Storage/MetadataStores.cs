using AtymSecure.Registry.Hosting;
using AtymSecure.Registry.Storage.Postgres;

namespace AtymSecure.Registry.Storage;

/// <summary>Opens the metadata store the options name: PostgreSQL for a <see cref="RegistryOptions.Store"/> URL, else LiteDB in the data folder.</summary>
public static class MetadataStores
{
    /// <summary>
    /// The store for <paramref name="options"/> (validated). PostgreSQL connects and migrates here, so a start fails at once
    /// with <see cref="AtymSecure.Postgres.StoreConnectionException"/> or <see cref="AtymSecure.Postgres.StoreSchemaTooNewException"/>;
    /// both throw <see cref="IOException"/> when another process holds the store (<see cref="MetadataStoreAccess"/>).
    /// </summary>
    public static IMetadataStore Open(RegistryOptions options, MetadataStoreAccess access = MetadataStoreAccess.Serving)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Store is { } store ? new PostgresMetadataStore(store, access) : new LiteDbMetadataStore(options.DataDirectory);
    }

    /// <summary>What the store is, for a start-up line: the URL without its password, or the LiteDB file.</summary>
    public static string Describe(RegistryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Store is { } store
            ? "metadata in PostgreSQL " + AtymSecure.Postgres.PostgresConnectionUrl.Redact(store)
            : "metadata in " + Path.Combine(Path.GetFullPath(options.DataDirectory), "metadata.db");
    }
}
