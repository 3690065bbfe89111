namespace AtymSecure.OtaStore;

/// <summary>The append-only audit log: entries are never changed or removed.</summary>
public interface IAuditLog
{
    /// <summary>Appends the entry with the next sequence (its <see cref="AuditEntry.Sequence"/> is ignored) and returns it as stored.</summary>
    AuditEntry Append(AuditEntry entry);

    /// <summary>Entries with sequence &gt; <paramref name="after"/>, oldest first, at most <paramref name="limit"/>.</summary>
    AuditPage Page(long after, int limit);
}
