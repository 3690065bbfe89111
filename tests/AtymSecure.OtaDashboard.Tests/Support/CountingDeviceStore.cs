using System.Collections.Concurrent;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Tests.Support;

/// <summary>The real device store with every page read recorded: which query, after which id, what limit, how many records came back.</summary>
internal sealed class CountingDeviceStore(IDeviceStore inner) : IDeviceStore
{
    public ConcurrentQueue<(DeviceQuery Query, string? After, int Limit, int Returned)> Reads { get; } = new();

    public bool TryAdd(DeviceRecord device) => inner.TryAdd(device);

    public DeviceRecord? Find(string id) => inner.Find(id);

    public DeviceRecord? TryUpdate(DeviceRecord device, long expectedRevision) => inner.TryUpdate(device, expectedRevision);

    public bool RecordSeen(string id, DeviceSighting seen) => inner.RecordSeen(id, seen);

    public IReadOnlyList<DeviceRecord> List(string? afterId, int limit, string? group = null) => Record(DeviceQuery.All with { Group = group }, afterId, limit, inner.List(afterId, limit, group));

    public IReadOnlyList<DeviceRecord> Query(DeviceQuery query, string? afterId, int limit) => Record(query, afterId, limit, inner.Query(query, afterId, limit));

    public long Count(DeviceState state) => inner.Count(state);

    private IReadOnlyList<DeviceRecord> Record(DeviceQuery query, string? after, int limit, IReadOnlyList<DeviceRecord> page)
    {
        Reads.Enqueue((query, after, limit, page.Count));
        return page;
    }
}
