namespace AtymSecure.Registry.Storage;

/// <summary>
/// How a process opens the metadata store. LiteDB is exclusive either way (one process per data folder); PostgreSQL lets
/// any number of serving registries share the database and gives garbage collection the database alone.
/// </summary>
public enum MetadataStoreAccess
{
    /// <summary>A registry serving requests, beside its replicas.</summary>
    Serving,

    /// <summary>The only process on the store (garbage collection): refused while any registry serves it.</summary>
    Exclusive,
}
