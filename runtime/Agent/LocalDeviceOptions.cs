using AtymSecure.Bootloader.Flash;

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

    /// <summary>
    /// The device's flash part when it is not the folder's flash.img: a fleet simulation keeps it in memory
    /// (<c>SimulatedNorFlash</c>, provisioned by <see cref="Provisioning.DeviceProvisioner.Init"/> with a flash factory), and the
    /// same part object outlives the device's power cycles. Null = flash.img, opened (and locked) for this power-on.
    /// </summary>
    public IFlash? Flash { get; init; }
}
