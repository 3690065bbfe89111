using Npgsql;

namespace AtymSecure.OtaStore.Postgres;

/// <summary>
/// <see cref="IAuditLog"/> over <see cref="PostgresDatabase"/> (table <c>audit</c>, keyed by sequence). Append-only by
/// construction (no update or delete). The next sequence is taken under a transaction-scoped advisory lock, so sequences
/// are gap-free and in commit order even across servers (a database sequence would leave gaps on rollback).
/// </summary>
public sealed class PostgresAuditLog(PostgresDatabase database) : IAuditLog
{
    public AuditEntry Append(AuditEntry entry) => database.Write(c => AppendInTransaction(c, entry));

    /// <summary>Appends inside the caller's transaction (<see cref="PostgresDatabase.Write{T}"/>): another store's write
    /// and its audit entries commit together (the deployment store).</summary>
    internal static AuditEntry AppendInTransaction(NpgsqlConnection connection, AuditEntry entry)
    {
        Sql.Execute(connection, "SELECT pg_advisory_xact_lock($1, 0)", PostgresSchema.AuditLock);
        var last = Sql.Scalar<long>(connection, "SELECT coalesce(max(sequence), 0) FROM audit");
        var stored = entry with { Sequence = last + 1 };
        Sql.Execute(connection, "INSERT INTO audit (sequence, doc) VALUES ($1, $2)", stored.Sequence, Sql.Json.Of(stored));
        return stored;
    }

    public AuditPage Page(long after, int limit)
    {
        limit = Math.Clamp(limit, 1, 1000);
        var entries = database.Read(c => Sql.Documents<AuditEntry>(c, "SELECT doc FROM audit WHERE sequence > $1 ORDER BY sequence LIMIT $2",
            Math.Max(0, after), limit + 1));
        return entries.Count > limit ? new AuditPage(entries[..limit], entries[limit - 1].Sequence) : new AuditPage(entries, null);
    }
}

/// <summary>
/// <see cref="IDeviceReportStore"/> over <see cref="PostgresDatabase"/>: <c>device_reports</c> keyed (device, sequence)
/// and <c>report_nonces</c> keyed (device, nonce). An append takes the device's advisory lock, then checks the nonce,
/// takes the next sequence and writes both rows in one transaction, so a nonce is stored once and sequences do not collide.
/// </summary>
public sealed class PostgresDeviceReportStore(PostgresDatabase database) : IDeviceReportStore
{
    public DeviceReport? TryAppend(DeviceReport report) => database.Write(c =>
    {
        Sql.Execute(c, "SELECT pg_advisory_xact_lock($1, hashtext($2))", PostgresSchema.ReportLock, report.DeviceId);
        if (Sql.Execute(c, "INSERT INTO report_nonces (device_id, nonce) VALUES ($1, $2) ON CONFLICT DO NOTHING", report.DeviceId, report.Nonce) == 0)
            return null;
        var last = Sql.Scalar<long>(c, "SELECT coalesce(max(sequence), 0) FROM device_reports WHERE device_id = $1", report.DeviceId);
        var stored = report with { Sequence = last + 1 };
        Sql.Execute(c, "INSERT INTO device_reports (device_id, sequence, doc) VALUES ($1, $2, $3)", stored.DeviceId, stored.Sequence, Sql.Json.Of(stored));
        return stored;
    });

    public DeviceReport? Latest(string deviceId) => Recent(deviceId, 1).FirstOrDefault();

    public long LatestSequence(string deviceId) =>
        database.Read(c => Sql.Scalar<long>(c, "SELECT coalesce(max(sequence), 0) FROM device_reports WHERE device_id = $1", deviceId));

    public IReadOnlyList<DeviceReport> Recent(string deviceId, int limit) => database.Read(c => Sql.Documents<DeviceReport>(c,
        "SELECT doc FROM device_reports WHERE device_id = $1 ORDER BY sequence DESC LIMIT $2", deviceId, Math.Max(0, limit)));
}
