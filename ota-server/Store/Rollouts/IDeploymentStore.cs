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
}
