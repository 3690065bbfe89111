namespace AtymSecure.OtaStore.Postgres;

/// <summary>
/// <see cref="IDeploymentStore"/> over <see cref="PostgresDatabase"/> (table <c>deployments</c>, the whole state as one
/// JSON document, revision beside it). The revision check is in the write itself (an insert that must not conflict for
/// revision 0, else <c>UPDATE … WHERE revision = expected</c>), and the audit entries are appended in the same
/// transaction: of two writers from one revision exactly one wins, and a crash keeps the state and its audit, or neither.
/// Each save also moves the one-row <c>deployment_clock</c> in that transaction (<see cref="Version"/>), so replicas learn
/// of a peer's decision with one primary-key read.
/// </summary>
public sealed class PostgresDeploymentStore(PostgresDatabase database) : IDeploymentStore
{
    public DeploymentState? Find(string id) => database.Read(c => Sql.Document<DeploymentState>(c, "SELECT doc FROM deployments WHERE id = $1", id));

    public IReadOnlyList<DeploymentState> List() =>
        database.Read(c => Sql.Documents<DeploymentState>(c, "SELECT doc FROM deployments ORDER BY created_ticks, id"));

    public DeploymentState? TrySave(DeploymentState state, long expectedRevision, IReadOnlyList<AuditEntry> audit)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(audit);
        var stored = state with { Revision = expectedRevision + 1 };
        return database.Write(c =>
        {
            var written = expectedRevision == 0
                ? Sql.Execute(c, "INSERT INTO deployments (id, created_ticks, revision, doc) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING",
                    stored.Id, stored.Spec.CreatedAt.UtcTicks, Sql.Json.Of(stored))
                : Sql.Execute(c, "UPDATE deployments SET created_ticks = $2, revision = $3, doc = $4 WHERE id = $1 AND revision = $5",
                    stored.Id, stored.Spec.CreatedAt.UtcTicks, stored.Revision, Sql.Json.Of(stored), expectedRevision);
            if (written != 1) return null;
            foreach (var entry in audit) PostgresAuditLog.AppendInTransaction(c, entry);
            // The clock row's lock orders concurrent saves: a reader that sees version v sees every save up to v.
            Sql.Execute(c, "UPDATE deployment_clock SET version = version + 1 WHERE id = 1");
            return stored;
        });
    }

    public long Version => database.Read(c => Sql.Scalar<long>(c, "SELECT version FROM deployment_clock WHERE id = 1"));

    public IReadOnlyList<DeploymentRevision> Revisions() => database.Read(c =>
    {
        using var command = new Npgsql.NpgsqlCommand("SELECT id, revision FROM deployments ORDER BY created_ticks, id", c);
        using var reader = command.ExecuteReader();
        var found = new List<DeploymentRevision>();
        while (reader.Read()) found.Add(new DeploymentRevision(reader.GetString(0), reader.GetInt64(1)));
        return found;
    });
}
