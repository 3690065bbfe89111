using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Every change to a device record after enrolment — approve, decommission, key rotation, groups, tags — as one
/// optimistic update of the stored record (retried when another change won the race), remembered in
/// <see cref="DeviceStates"/> so sessions see it at once. Decommission and key rotation bump the epoch: every session
/// of the device ends with that write.
/// </summary>
public sealed class DeviceLifecycle(IDeviceStore devices, DeviceStates states, TimeProvider clock)
{
    public DeviceRecord Find(string id) =>
        devices.Find(id) ?? throw new OtaProblemException(404, OtaProblemCodes.NotFound, "id", "no such device");

    /// <summary>Applies <paramref name="change"/> (which may refuse by throwing) and returns (before, after).</summary>
    public (DeviceRecord Before, DeviceRecord After) Update(string id, Func<DeviceRecord, DeviceRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        for (var attempt = 0; ; attempt++)
        {
            var before = Find(id);
            var wanted = change(before) with { UpdatedAt = clock.GetUtcNow() };
            if (devices.TryUpdate(wanted, before.Revision) is { } after)
            {
                states.Remember(after);
                return (before, after);
            }
            if (attempt > 16) throw new OtaProblemException(409, OtaProblemCodes.Conflict, "id", "the device kept changing; try again");
        }
    }

    public static DeviceRecord Approve(DeviceRecord d) => d.State switch
    {
        DeviceState.Pending => d with { State = DeviceState.Active },
        DeviceState.Active => throw new OtaProblemException(409, OtaProblemCodes.Conflict, "id", "the device is already active"),
        _ => throw new OtaProblemException(410, OtaProblemCodes.DeviceDecommissioned, "id", "the device was decommissioned"),
    };

    public static DeviceRecord Decommission(DeviceRecord d) => d.State == DeviceState.Decommissioned
        ? throw new OtaProblemException(409, OtaProblemCodes.Conflict, "id", "the device is already decommissioned")
        : d with { State = DeviceState.Decommissioned, Epoch = d.Epoch + 1 };
}
