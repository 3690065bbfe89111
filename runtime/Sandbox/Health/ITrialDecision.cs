namespace AtymSecure.Runtime.Health;

/// <summary>Where a trial's verdict goes: on a device, the bootloader keeps (confirms) or reverts the trial version (the device agent's BootloaderTrialDecision).</summary>
public interface ITrialDecision
{
    void Confirm(string container);

    void Reject(string container, string reason);
}
