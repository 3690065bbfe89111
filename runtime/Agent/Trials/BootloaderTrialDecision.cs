using AtymSecure.Runtime.Health;

namespace AtymSecure.DeviceAgent.Trials;

/// <summary>
/// Confirms or rejects through the device bootloader's durable state (one state record each). Verdicts arrive
/// on trial threads; the device's gate serialises them with every other use of the bootloader.
/// </summary>
internal sealed class BootloaderTrialDecision(LocalDevice device) : ITrialDecision
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
