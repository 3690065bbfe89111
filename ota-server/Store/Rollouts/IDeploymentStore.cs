namespace AtymSecure.OtaStore;

/// <summary>
/// Deployments and their progress (the rollout engine's state), one document per deployment. A save carries the audit
/// entries of the decisions it records and writes both in one transaction: a crash keeps both or neither, so a
/// decision replayed after a restart is never audited twice and an audited decision is never lost.
/// </summary>
public interface IDeploymentStore
{
    DeploymentState? Find(string id);

    /// <summary>Every deployment, oldest first.</summary>
    IReadOnlyList<DeploymentState> List();

    /// <summary>
    /// Stores <paramref name="state"/> when the stored revision equals <paramref name="expectedRevision"/> (0 = new) and
    /// appends <paramref name="audit"/> (sequences assigned as <see cref="IAuditLog.Append"/> does), all or nothing.
    /// Returns the stored state (revision + 1), or null when the deployment changed meanwhile (or exists, for 0).
    /// </summary>
    DeploymentState? TrySave(DeploymentState state, long expectedRevision, IReadOnlyList<AuditEntry> audit);

    /// <summary>A number that grows with every successful <see cref="TrySave"/> by any process sharing the store (0: never
    /// written). A replica holding states in memory compares it to the one it last read, and only when it moved reads
    /// <see cref="Revisions"/>: the cheap question every poll asks (docs/scale-out.md).</summary>
    long Version { get; }

    /// <summary>Every deployment's id and stored revision, without the documents: which ones a replica must read again.</summary>
    IReadOnlyList<DeploymentRevision> Revisions();
}

/// <summary>A deployment's id and the revision stored for it (<see cref="IDeploymentStore.Revisions"/>).</summary>
public sealed record DeploymentRevision(string Id, long Revision);
