namespace AtymSecure.OtaStore;

/// <summary>
/// The cross-process half of the rollouts' decision gate. Every rollout decision — an operator's action, a device report,
/// a tick — runs while holding it, so decisions of all replicas sharing a store run one at a time and in stored order.
/// One lock for all deployments, not one per deployment, because a decision on one deployment cascades into others
/// (a newer deployment supersedes devices of an older one; a halt creates a rollback): a single lock cannot deadlock
/// and keeps the engine's one-gate order. Holding it, a replica reads again the deployments a peer changed
/// (<see cref="IDeploymentStore.Version"/>), so it decides on the stored state, and the engine's per-device report
/// sequence (a report is used once) makes a report seen by both replicas count once.
/// </summary>
public interface IRolloutLock
{
    /// <summary>Whether other processes may write the store (so states held in memory must be refreshed before deciding
    /// and before answering polls). False for a store one process owns.</summary>
    bool Shared { get; }

    /// <summary>Waits for the lock; disposing the result releases it. A holder that dies releases it with its connection.</summary>
    Task<IAsyncDisposable> AcquireAsync(CancellationToken ct = default);
}

/// <summary>The lock of a store one process owns (LiteDB): the rollout service's own gate already serializes; nothing to add.</summary>
public sealed class SingleProcessRolloutLock : IRolloutLock
{
    public static SingleProcessRolloutLock Instance { get; } = new();

    public bool Shared => false;

    public Task<IAsyncDisposable> AcquireAsync(CancellationToken ct = default) => Task.FromResult<IAsyncDisposable>(Held.None);

    private sealed class Held : IAsyncDisposable
    {
        public static Held None { get; } = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
