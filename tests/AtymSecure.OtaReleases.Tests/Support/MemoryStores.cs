using System.Collections.Concurrent;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaReleases.Tests.Support;

/// <summary>In-memory stores for unit tests only (the service uses the LiteDB store in ota-server/Store).</summary>
internal sealed class MemoryReleaseStore : IReleaseStore
{
    private readonly ConcurrentDictionary<string, Release> _releases = new();
    private readonly List<string> _order = [];

    /// <summary>Thrown by the next <see cref="AddOrGetAsync"/> (a crash just before the release is recorded).</summary>
    public Exception? FailNextAdd { get; set; }

    public Task<Release?> GetAsync(string id, CancellationToken ct = default) => Task.FromResult(_releases.GetValueOrDefault(id));

    public Task<IReadOnlyList<Release>> ListAsync(string? container = null, CancellationToken ct = default)
    {
        lock (_order)
            return Task.FromResult<IReadOnlyList<Release>>([.. _order.Select(id => _releases[id]).Where(r => container is null || r.Container == container)]);
    }

    public Task<Release> AddOrGetAsync(Release release, CancellationToken ct = default)
    {
        if (FailNextAdd is { } e)
        {
            FailNextAdd = null;
            throw e;
        }
        lock (_order)
        {
            if (_releases.TryAdd(release.Id, release)) _order.Add(release.Id);
            return Task.FromResult(_releases[release.Id]);
        }
    }
}

internal sealed class MemoryAssignmentStore : IAssignmentStore
{
    private readonly ConcurrentDictionary<(string, string), Assignment> _assignments = new();

    public Task<Assignment?> SetAsync(Assignment assignment, CancellationToken ct = default)
    {
        Assignment? before = null;
        _assignments.AddOrUpdate((assignment.DeviceId, assignment.Container), assignment, (_, old) => { before = old; return assignment; });
        return Task.FromResult(before);
    }

    public Task<IReadOnlyList<Assignment>> ListForDeviceAsync(string deviceId, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Assignment>>([.. _assignments.Values.Where(a => a.DeviceId == deviceId).OrderBy(a => a.Container, StringComparer.Ordinal)]);

    public Task<IReadOnlyList<Assignment>> ListAsync(string? releaseId = null, CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<Assignment>>([.. _assignments.Values.Where(a => releaseId is null || a.ReleaseId == releaseId)
            .OrderBy(a => a.DeviceId, StringComparer.Ordinal).ThenBy(a => a.Container, StringComparer.Ordinal)]);
}
