namespace AtymSecure.Bootloader;

/// <summary>How much hashing a boot does for an image it has already verified.</summary>
public enum BootVerification
{
    /// <summary>Hash in full on the first (trial) boot, then trust the MACed record of that result.</summary>
    FirstBootThenRecord,

    /// <summary>Hash the running image in full on every boot (slower, catches later flash damage).</summary>
    EveryBoot,
}

/// <summary>Device-wide settings of the bootloader.</summary>
public sealed record BootloaderOptions
{
    /// <summary>This device's class (e.g. "stm32u5"); images for another class are refused.</summary>
    public required string DeviceClass { get; init; }

    /// <summary>Starts a trial image gets before it is reverted (each start counts, a crash too).</summary>
    public byte TrialAttempts { get; init; } = 3;

    public BootVerification Verification { get; init; } = BootVerification.FirstBootThenRecord;

    /// <summary>Bytes per program operation while writing a slot (a multiple of the write alignment).</summary>
    public int ProgramChunkBytes { get; init; } = 1024;

    /// <summary>Clock for bundle expiry checks.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
