namespace AtymSecure.OtaStore.LiteDb;

/// <summary>
/// <see cref="IAuditLog"/> over <see cref="OtaDatabase"/> (collection <c>audit</c>, keyed by the zero-padded sequence).
/// Append-only by construction: the type has no update or delete, and the sequence is taken under the write lock.
/// </summary>
public sealed class LiteDbAuditLog : IAuditLog
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<AuditEntry> _entries;

    public LiteDbAuditLog(OtaDatabase database)
    {
        _database = database;
        _entries = new JsonCollection<AuditEntry>(database, "audit", e => e.Sequence.ToString("D19", System.Globalization.CultureInfo.InvariantCulture));
    }

    public AuditEntry Append(AuditEntry entry) => _database.Write(() => AppendInTransaction(entry));

    /// <summary>Appends inside a transaction the caller holds (<see cref="OtaDatabase.Write{T}"/>): another store's write and
    /// its audit entries commit together (the deployment store).</summary>
    internal AuditEntry AppendInTransaction(AuditEntry entry)
    {
        var last = _entries.Query(null, [], "_id", 1, descending: true).FirstOrDefault();
        var stored = entry with { Sequence = (last?.Sequence ?? 0) + 1 };
        _entries.Insert(stored);
        return stored;
    }

    public AuditPage Page(long after, int limit)
    {
        limit = Math.Clamp(limit, 1, 1000);
        var key = Math.Max(0, after).ToString("D19", System.Globalization.CultureInfo.InvariantCulture);
        var entries = _entries.Query("$._id > @0", [key], "_id", limit + 1).ToList();
        return entries.Count > limit ? new AuditPage(entries[..limit], entries[limit - 1].Sequence) : new AuditPage(entries, null);
    }
}
