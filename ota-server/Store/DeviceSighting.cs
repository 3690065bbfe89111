using AtymSecure.Primitives;

namespace AtymSecure.OtaStore;

/// <summary>
/// A device's last report as the fleet's filters need it (<see cref="DeviceQuery"/>: last seen, container version): when
/// the server stored it, and each reported container's confirmed version. Kept on the device record by
/// <see cref="IDeviceStore.RecordSeen"/>, not by <see cref="IDeviceStore.TryUpdate"/> (a report is not an operator change:
/// the revision stays, and an update keeps the stored sighting).
/// </summary>
public sealed record DeviceSighting(DateTimeOffset At, EquatableMap<string> Confirmed)
{
    /// <summary>A container's version as stored beside a LiteDB document and compared in PostgreSQL: <c>container=version</c>.</summary>
    internal static string VersionText(string container, string version) => container + "=" + version;
}
