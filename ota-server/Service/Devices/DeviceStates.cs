using System.Collections.Concurrent;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Each device's state and session epoch in memory, so a poll checks its session without a database read. Filled from
/// <see cref="IDeviceStore"/> on first use of a device and refreshed by this process's own writes
/// (<see cref="Remember"/>), which are the only writes: one server process per data folder (the lock file). Unknown
/// ids are not cached, so random ids cannot grow it. With replicas (<see cref="StoreSharing.OtherProcessesWrite"/>) a peer
/// may revoke or re-key a device at any time, so nothing is kept: every check reads the device's row (one primary-key
/// read), and a revocation on one replica refuses the device's next poll on every replica.
/// </summary>
public sealed class DeviceStates(IDeviceStore devices, StoreSharing? sharing = null)
{
    private readonly ConcurrentDictionary<string, DeviceSnapshot> _known = new(StringComparer.Ordinal);
    private readonly bool _shared = sharing?.OtherProcessesWrite ?? false;

    public DeviceSnapshot? Get(string deviceId)
    {
        if (_shared) return devices.Find(deviceId) is { } current ? DeviceSnapshot.Of(current) : null;
        if (_known.TryGetValue(deviceId, out var known)) return known;
        if (devices.Find(deviceId) is not { } device) return null;
        return _known.GetOrAdd(deviceId, DeviceSnapshot.Of(device));
    }

    /// <summary>Records a device as just written to the store.</summary>
    public void Remember(DeviceRecord device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _known[device.Id] = DeviceSnapshot.Of(device);
    }
}

/// <summary>What the hot paths need of a device: its state, session epoch, class (which never changes) and groups (its poll interval, <see cref="PollIntervals"/>).</summary>
public sealed record DeviceSnapshot(DeviceState State, long Epoch, string DeviceClass, EquatableList<string> Groups)
{
    public static DeviceSnapshot Of(DeviceRecord device) => new(device.State, device.Epoch, device.DeviceClass, device.Groups);
}
