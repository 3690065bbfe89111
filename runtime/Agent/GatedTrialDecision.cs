using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent;

/// <summary>Trial verdicts arrive on trial threads; this serialises them with every other use of the bootloader.</summary>
internal sealed class GatedTrialDecision(LocalDevice device) : ITrialDecision
{
    public void Confirm(string container)
    {
        lock (device.Gate) device.Bootloader.Confirm(container);
    }

    public void Reject(string container, string reason)
    {
        lock (device.Gate) device.Bootloader.Reject(container);
    }
}
