namespace AtymSecure.DeviceAgent;

/// <summary>Knobs of a simulated device that are not part of its identity.</summary>
public sealed record LocalDeviceOptions
{
    /// <summary>Simulated time each flash program/erase takes (real parts take 0.1–50 ms); zero = as fast as the disk.</summary>
    public TimeSpan FlashOperationDelay { get; init; }

    /// <summary>
    /// The device's clock: bundle expiry, status timestamps, the runner's polling and settling, and the time the
    /// containers, supervisors and health trials run on.
    /// </summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>
    /// Power on for reading only (<c>atym device status</c>): the flash file is opened without write access and the
    /// bootloader never programs or erases (no log format, no boot selection); writing calls are refused.
    /// </summary>
    public bool ReadOnly { get; init; }
}
