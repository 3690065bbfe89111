namespace AtymSecure.OtaStore.LiteDb;

/// <summary>
/// <see cref="IDeploymentStore"/> over <see cref="OtaDatabase"/> (collection <c>deployments</c>, keyed by id, the whole
/// state as one JSON document). The revision check, the write and the audit entries run in one transaction under the
/// database's write lock, so two writers cannot both win and a crash leaves the state and its audit consistent.
/// </summary>
public sealed class LiteDbDeploymentStore : IDeploymentStore
{
    private readonly OtaDatabase _database;
    private readonly JsonCollection<DeploymentState> _deployments;
    private readonly LiteDbAuditLog _audit;
    private long _version;

    public LiteDbDeploymentStore(OtaDatabase database)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _deployments = new JsonCollection<DeploymentState>(database, "deployments", d => d.Id, d => [("createdAt", d.Spec.CreatedAt.UtcTicks)]);
        _audit = new LiteDbAuditLog(database);
    }

    public DeploymentState? Find(string id) => _deployments.Find(id);

    public IReadOnlyList<DeploymentState> List() =>
        [.. _deployments.All().OrderBy(d => d.Spec.CreatedAt).ThenBy(d => d.Id, StringComparer.Ordinal)];

    public DeploymentState? TrySave(DeploymentState state, long expectedRevision, IReadOnlyList<AuditEntry> audit)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(audit);
        return _database.Write(() =>
        {
            var current = _deployments.Find(state.Id);
            if ((current?.Revision ?? 0) != expectedRevision || (current is null && expectedRevision != 0)) return null;
            var stored = state with { Revision = expectedRevision + 1 };
            _deployments.Upsert(stored);
            foreach (var entry in audit) _audit.AppendInTransaction(entry);
            Interlocked.Increment(ref _version);
            return stored;
        });
    }

    /// <summary>Saves since this store was opened: one process owns the file, so no other writer can move it.</summary>
    public long Version => Interlocked.Read(ref _version);

    public IReadOnlyList<DeploymentRevision> Revisions() => [.. List().Select(d => new DeploymentRevision(d.Id, d.Revision))];
}
