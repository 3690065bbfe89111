namespace AtymSecure.Postgres;

/// <summary>
/// The database's schema was migrated by a newer server than this one: starting would read or write tables this code
/// does not know, so it refuses (<see cref="SchemaMigrator"/>). Upgrade the server, or restore a backup taken before the
/// newer one ran.
/// </summary>
public sealed class StoreSchemaTooNewException(string store, int databaseVersion, int knownVersion)
    : Exception($"the {store}'s database schema is version {databaseVersion}, newer than version {knownVersion} this server knows: " +
        "upgrade the server (or point it at another database)")
{
    /// <summary>Which store refused ("OTA store", "registry metadata store").</summary>
    public string Store { get; } = store;

    public int DatabaseVersion { get; } = databaseVersion;

    public int KnownVersion { get; } = knownVersion;
}
