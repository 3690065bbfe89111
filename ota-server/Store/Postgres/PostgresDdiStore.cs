namespace AtymSecure.OtaStore.Postgres;

/// <summary><see cref="IDdiStore"/> over <see cref="PostgresDatabase"/> (tables <c>ddi_targets</c>, <c>ddi_gateway_tokens</c>,
/// <c>ddi_actions</c> of migration 3; action ids from the table's largest plus one under the write transaction's row lock).</summary>
public sealed class PostgresDdiStore(PostgresDatabase database) : IDdiStore
{
    public bool TryAddTarget(DdiTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        return database.Write(c => Sql.Execute(c, "INSERT INTO ddi_targets (controller_id, revision, doc) VALUES ($1, 1, $2) ON CONFLICT DO NOTHING",
            target.ControllerId, Sql.Json.Of(target with { Revision = 1 })) == 1);
    }

    public DdiTarget? FindTarget(string controllerId) =>
        database.Read(c => Sql.Document<DdiTarget>(c, "SELECT doc FROM ddi_targets WHERE controller_id = $1", controllerId));

    public DdiTarget? TryUpdateTarget(DdiTarget target, long expectedRevision)
    {
        ArgumentNullException.ThrowIfNull(target);
        var updated = target with { Revision = expectedRevision + 1 };
        return database.Write(c => Sql.Execute(c, "UPDATE ddi_targets SET revision = $2, doc = $3 WHERE controller_id = $1 AND revision = $4",
            target.ControllerId, updated.Revision, Sql.Json.Of(updated), expectedRevision) == 1 ? updated : null);
    }

    public void SetGatewayToken(DdiGatewayToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        database.Write(c => Sql.Execute(c, "INSERT INTO ddi_gateway_tokens (tenant, doc) VALUES ($1, $2) ON CONFLICT (tenant) DO UPDATE SET doc = excluded.doc",
            token.Tenant, Sql.Json.Of(token)));
    }

    public DdiGatewayToken? FindGatewayToken(string tenant) =>
        database.Read(c => Sql.Document<DdiGatewayToken>(c, "SELECT doc FROM ddi_gateway_tokens WHERE tenant = $1", tenant));

    public DdiAction AddAction(DdiAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return database.Write(c =>
        {
            Sql.Execute(c, "LOCK TABLE ddi_actions IN SHARE ROW EXCLUSIVE MODE");
            var added = action with { Id = (Sql.Scalar<long?>(c, "SELECT max(id) FROM ddi_actions") ?? 0) + 1 };
            Sql.Execute(c, "INSERT INTO ddi_actions (id, controller_id, doc) VALUES ($1, $2, $3)", added.Id, added.ControllerId, Sql.Json.Of(added));
            return added;
        });
    }

    public DdiAction? FindAction(long id) => database.Read(c => Sql.Document<DdiAction>(c, "SELECT doc FROM ddi_actions WHERE id = $1", id));

    public void UpdateAction(DdiAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        database.Write(c => Sql.Execute(c, "UPDATE ddi_actions SET doc = $2 WHERE id = $1", action.Id, Sql.Json.Of(action)));
    }

    public IReadOnlyList<DdiAction> ActionsFor(string controllerId, int limit) =>
        database.Read(c => Sql.Documents<DdiAction>(c, "SELECT doc FROM ddi_actions WHERE controller_id = $1 ORDER BY id DESC LIMIT $2", controllerId, limit));
}
