namespace AtymSecure.OtaStore;

/// <summary>Devices by id.</summary>
public interface IDeviceStore
{
    /// <summary>Adds a device; false when the id exists.</summary>
    bool TryAdd(DeviceRecord device);

    DeviceRecord? Find(string id);

    /// <summary>Replaces the device when its stored <see cref="DeviceRecord.Revision"/> equals <paramref name="expectedRevision"/>;
    /// the stored record gets revision + 1 (the returned one). Null when the device is unknown or changed meanwhile.</summary>
    DeviceRecord? TryUpdate(DeviceRecord device, long expectedRevision);

    /// <summary>Records what the device's last report said (<see cref="DeviceRecord.Seen"/>) without changing its revision;
    /// false when the device is unknown.</summary>
    bool RecordSeen(string id, DeviceSighting seen);

    /// <summary>Devices ordered by id, after <paramref name="afterId"/> (null = from the start), at most <paramref name="limit"/>,
    /// only those in <paramref name="group"/> when given.</summary>
    IReadOnlyList<DeviceRecord> List(string? afterId, int limit, string? group = null);

    /// <summary>One page of the devices matching <paramref name="query"/>, ordered by id, after <paramref name="afterId"/>
    /// (null = from the start), at most <paramref name="limit"/>: the store reads that page only, never the whole fleet
    /// (the dashboard's paging over 100,000 devices).</summary>
    IReadOnlyList<DeviceRecord> Query(DeviceQuery query, string? afterId, int limit);

    /// <summary>How many devices are in <paramref name="state"/>.</summary>
    long Count(DeviceState state);
}
