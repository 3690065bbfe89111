using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;

namespace AtymSecure.Bootloader.Boot;

/// <summary>What a boot decided for one container.</summary>
public enum BootOutcome
{
    /// <summary>Nothing installed (or a first install was interrupted): nothing runs.</summary>
    NotInstalled,

    /// <summary>The confirmed image runs.</summary>
    Confirmed,

    /// <summary>A trial image runs (one attempt was used up before the start).</summary>
    Trial,

    /// <summary>The trial failed (attempts used up or verification); the confirmed image runs again.</summary>
    Reverted,

    /// <summary>The confirmed slot failed verification; the other slot's image runs.</summary>
    FellBack,

    /// <summary>No slot holds a valid image; the container does not run (the others do).</summary>
    Failed,

    /// <summary>The device is in recovery (no state record verifies): nothing runs until it is re-provisioned.</summary>
    Recovery,
}

/// <summary>
/// Result for one container: what runs (slot and image), the state after the boot, and the cost
/// of verification (bytes hashed, time spent) for the boot-cost report.
/// </summary>
public sealed record ContainerBootResult(
    string Container,
    BootOutcome Outcome,
    SlotId RunningSlot,
    SlotImageInfo? RunningImage,
    ContainerState State,
    long BytesHashed,
    TimeSpan VerificationTime,
    int RecordsWritten)
{
    public bool IsRunning => RunningSlot != SlotId.None;
}

/// <summary>A whole boot: one result per container, in partition-table order.</summary>
public sealed record BootReport(IReadOnlyList<ContainerBootResult> Containers)
{
    public ContainerBootResult this[string container] => Containers.Single(c => c.Container == container);
}
