using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaRollouts.Service;

/// <summary>
/// Devices whose progress does not come as our signed version reports but through another protocol (hawkBit DDI
/// feedback): for those, what their last feedback says about a container, as the engine reads reports
/// (<see cref="DeviceObservation"/>, with a sequence that grows with each stored feedback). <see cref="FleetReader"/>
/// asks this first; null means "not one of mine", and the device's stored reports are used.
/// </summary>
public interface IExternalDeviceReports
{
    DeviceObservation? Latest(string deviceId, string container);

    /// <summary>Whether <paramref name="device"/> reports through this protocol (then its stored reports are ignored); cheap,
    /// from the record alone, as it is asked for every device of the fleet.</summary>
    bool Owns(DeviceRecord device);
}
