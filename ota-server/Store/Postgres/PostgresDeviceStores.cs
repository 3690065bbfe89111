namespace AtymSecure.OtaStore.Postgres;

/// <summary><see cref="IDeviceStore"/> over <see cref="PostgresDatabase"/> (table <c>devices</c>, with state, groups and
/// revision beside the JSON). The revision check and the write are one <c>UPDATE … WHERE revision = expected</c>, so of two
/// writers from the same revision exactly one wins, on any number of connections or servers.</summary>
public sealed class PostgresDeviceStore(PostgresDatabase database) : IDeviceStore
{
    public bool TryAdd(DeviceRecord device)
    {
        var stored = device with { Revision = 1 };
        return database.Write(c => Sql.Execute(c,
            "INSERT INTO devices (id, state, groups, revision, doc) VALUES ($1, $2, $3, 1, $4) ON CONFLICT DO NOTHING",
            stored.Id, stored.State.ToString(), stored.Groups.ToArray(), Sql.Json.Of(stored)) == 1);
    }

    public DeviceRecord? Find(string id) => database.Read(c => Sql.Document<DeviceRecord>(c, "SELECT doc FROM devices WHERE id = $1", id));

    public DeviceRecord? TryUpdate(DeviceRecord device, long expectedRevision)
    {
        // The stored sighting stays (RecordSeen's, not the caller's copy): the JSON keeps its "seen" member.
        var updated = device with { Revision = expectedRevision + 1, Seen = null };
        return database.Write(c => Sql.Document<DeviceRecord>(c,
            "UPDATE devices SET state = $2, groups = $3, revision = $4, doc = ($5::jsonb || jsonb_build_object('seen', doc::jsonb->'seen'))::json " +
            "WHERE id = $1 AND revision = $6 RETURNING doc",
            updated.Id, updated.State.ToString(), updated.Groups.ToArray(), updated.Revision, Sql.Json.Of(updated), expectedRevision));
    }

    public bool RecordSeen(string id, DeviceSighting seen) => database.Write(c => Sql.Execute(c,
        "UPDATE devices SET doc = (doc::jsonb || jsonb_build_object('seen', $2::jsonb))::json WHERE id = $1", id, Sql.Json.Of(seen)) == 1);

    public IReadOnlyList<DeviceRecord> List(string? afterId, int limit, string? group = null) => Query(DeviceQuery.All with { Group = group }, afterId, limit);

    // Class, tags and the last report's sighting are read from the JSON document (no column of their own: no migration for
    // filters the dashboard uses); the page is still one ORDER BY id LIMIT over the primary key.
    public IReadOnlyList<DeviceRecord> Query(DeviceQuery query, string? afterId, int limit)
    {
        ArgumentNullException.ThrowIfNull(query);
        return database.Read(c => Sql.Documents<DeviceRecord>(c,
            "SELECT doc FROM devices WHERE ($1::text IS NULL OR id > $1) AND ($2::text IS NULL OR $2 = ANY (groups)) " +
            "AND ($3::text IS NULL OR starts_with(id, $3)) AND ($4::text IS NULL OR doc->>'deviceClass' = $4) " +
            "AND ($5::text IS NULL OR doc->'tags'->>$5 = $6) AND ($7::text IS NULL OR state = $7) " +
            "AND ($9::text IS NULL OR doc->'seen'->'confirmed'->>$9 = $10) " +
            "AND ($11::timestamptz IS NULL OR (doc->'seen'->>'at') IS NULL OR (doc->'seen'->>'at')::timestamptz < $11::timestamptz) " +
            "AND ($12::timestamptz IS NULL OR (doc->'seen'->>'at')::timestamptz >= $12::timestamptz) ORDER BY id LIMIT $8",
            afterId, query.Group, query.IdPrefix is { Length: > 0 } p ? p : null, query.DeviceClass, query.TagKey, query.TagValue ?? "",
            query.State?.ToString(), Math.Max(0, limit), query.Container, query.ContainerVersion ?? "", query.SeenBefore?.ToUniversalTime(), query.SeenSince?.ToUniversalTime()));
    }

    public long Count(DeviceState state) => database.Read(c => Sql.Scalar<long>(c, "SELECT count(*) FROM devices WHERE state = $1", state.ToString()));
}

/// <summary><see cref="IPreauthorizedKeyStore"/> over <see cref="PostgresDatabase"/> (table <c>preauthorized_keys</c>).</summary>
public sealed class PostgresPreauthorizedKeyStore(PostgresDatabase database) : IPreauthorizedKeyStore
{
    public bool TryAdd(PreauthorizedKey key) => database.Write(c => Sql.Execute(c,
        "INSERT INTO preauthorized_keys (fingerprint, doc) VALUES ($1, $2) ON CONFLICT DO NOTHING", key.KeyFingerprint, Sql.Json.Of(key)) == 1);

    public PreauthorizedKey? Find(string keyFingerprint) =>
        database.Read(c => Sql.Document<PreauthorizedKey>(c, "SELECT doc FROM preauthorized_keys WHERE fingerprint = $1", keyFingerprint));

    public bool Remove(string keyFingerprint) => database.Write(c => Sql.Execute(c, "DELETE FROM preauthorized_keys WHERE fingerprint = $1", keyFingerprint) == 1);
}
