namespace AtymSecure.OtaStore;

/// <summary>
/// Whether other server processes write the same store (registered by <see cref="OtaStoreServices"/>): false for LiteDB,
/// which one process owns (its lock file), true for PostgreSQL, which replicas share. A per-process cache of store data
/// on a hot path (the poll's device state and last report) keeps its entries only when this is false; when true it checks
/// the store on every use (a primary-key read), so what one replica stored is what every replica answers.
/// </summary>
public sealed record StoreSharing(bool OtherProcessesWrite)
{
    public static StoreSharing SingleProcess { get; } = new(false);

    public static StoreSharing Replicas { get; } = new(true);
}
