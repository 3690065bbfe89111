
namespace AtymSecure.OtaStore;

/// <summary>
/// Recorded releases. Small on purpose, so the LiteDB store and a later PostgreSQL store (issue 17) implement it the
/// same way; a contract suite runs against each (tests/AtymSecure.OtaStore.Tests/Contract/ReleaseStoresContract.cs).
/// </summary>
public interface IReleaseStore
{
    Task<Release?> GetAsync(string id, CancellationToken ct = default);

    /// <summary>Every release, or those of one container, oldest first.</summary>
    Task<IReadOnlyList<Release>> ListAsync(string? container = null, CancellationToken ct = default);

    /// <summary>Records <paramref name="release"/> unless its id exists; returns the stored one (the first writer wins).</summary>
    Task<Release> AddOrGetAsync(Release release, CancellationToken ct = default);
}

/// <summary>Background jobs (the releases library's JobQueue): persisted before they run, updated at each step.</summary>
public interface IJobStore
{
    Task<Job?> GetAsync(string id, CancellationToken ct = default);

    Task AddAsync(Job job, CancellationToken ct = default);

    /// <summary>Replaces the job with <paramref name="job"/>'s id.</summary>
    Task UpdateAsync(Job job, CancellationToken ct = default);

    /// <summary>Jobs not succeeded or failed, oldest first.</summary>
    Task<IReadOnlyList<Job>> ListUnfinishedAsync(CancellationToken ct = default);
}

/// <summary>Direct assignments, one per (device, container).</summary>
public interface IAssignmentStore
{
    /// <summary>Stores <paramref name="assignment"/>, replacing the device's assignment for that container; returns the replaced one.</summary>
    Task<Assignment?> SetAsync(Assignment assignment, CancellationToken ct = default);

    Task<IReadOnlyList<Assignment>> ListForDeviceAsync(string deviceId, CancellationToken ct = default);

    /// <summary>Every assignment (or those of one release), ordered by device then container.</summary>
    Task<IReadOnlyList<Assignment>> ListAsync(string? releaseId = null, CancellationToken ct = default);
}
