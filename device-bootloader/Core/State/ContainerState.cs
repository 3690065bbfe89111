namespace AtymSecure.Bootloader.State;

/// <summary>
/// Per-container update state; every change is one durable record. Values are the on-flash encoding.
/// empty → installing → pending (trial) → trial-booted (attempts left) → confirmed, or → reverted / failed.
/// </summary>
public enum ContainerState : byte
{
    /// <summary>Nothing installed yet.</summary>
    Empty = 0,

    /// <summary>The inactive slot is being written; its content means nothing until Pending.</summary>
    Installing = 1,

    /// <summary>A verified image waits in the trial slot for its first boot.</summary>
    Pending = 2,

    /// <summary>The trial image has started at least once; AttemptsLeft more starts remain.</summary>
    TrialBooted = 3,

    /// <summary>The runtime's health check confirmed the image; it runs from now on.</summary>
    Confirmed = 4,

    /// <summary>The trial failed (health, crash loop or verification); the confirmed image runs again.</summary>
    Reverted = 5,

    /// <summary>No slot holds a bootable image; the container does not run (others do).</summary>
    Failed = 6,
}
