namespace AtymSecure.Runtime.Health;

/// <summary>Where a trial's verdict goes: the bootloader keeps (confirms) or reverts the trial version.</summary>
public interface ITrialDecision
{
    void Confirm(string container);

    void Reject(string container, string reason);
}

/// <summary>Confirms or rejects through the device bootloader's durable state (one state record each).</summary>
public sealed class BootloaderTrialDecision(Bootloader.DeviceBootloader bootloader) : ITrialDecision
{
    public void Confirm(string container) => bootloader.Confirm(container);

    public void Reject(string container, string reason) => bootloader.Reject(container);
}
