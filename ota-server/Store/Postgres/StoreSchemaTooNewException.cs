namespace AtymSecure.OtaStore.Postgres;

/// <summary>
/// The database's schema was migrated by a newer server than this one: starting would read or write tables this code
/// does not know, so it refuses. Upgrade the server, or restore a backup taken before the newer one ran.
/// </summary>
public sealed class StoreSchemaTooNewException(int databaseVersion, int knownVersion)
    : Exception($"the OTA store's database schema is version {databaseVersion}, newer than version {knownVersion} this server knows: " +
        "upgrade the server (or point it at another database)")
{
    public int DatabaseVersion { get; } = databaseVersion;

    public int KnownVersion { get; } = knownVersion;
}
