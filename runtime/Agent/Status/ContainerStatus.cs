using System.Text.Json.Serialization;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Bootloader.State;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Execution;

namespace AtymSecure.DeviceAgent.Status;

/// <summary>What one slot of a container holds, as the bootloader's state record says.</summary>
public sealed record SlotStatus(SlotId Slot, string? Version, long Size, string? Digest, uint SecurityCounter, bool Verified)
{
    public static SlotStatus Of(SlotId slot, SlotImageInfo info) => info.Present
        ? new SlotStatus(slot, info.Version?.ToString(), info.Size, info.Digest.ToString(), info.SecurityCounter, info.Verified)
        : new SlotStatus(slot, null, 0, null, 0, false);
}

/// <summary>The runtime side of a container: run state, the version running, restarts.</summary>
public sealed record RuntimeContainerStatus(ContainerRunState RunState, string Version, bool Trial, int Restarts, bool CrashLoop, string Message)
{
    /// <summary>
    /// What the running image grants the container (its signed grants, which the runtime enforces; they may be fewer than
    /// the container's config asks for when the server's permission policy withholds some). Null in files written before
    /// grants were shown, and not written then, so those read and write back byte for byte.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public EquatableList<string>? Grants { get; init; }

    public static RuntimeContainerStatus Of(ContainerSupervisor container)
    {
        ArgumentNullException.ThrowIfNull(container);
        return new(container.State, container.Spec.Version, container.Spec.IsTrial, container.Restarts, container.CrashLoop, container.StatusMessage)
        {
            Grants = [.. container.Spec.Grants.Capabilities.Select(c => c.ToString())],
        };
    }

    /// <summary>A container whose slot image did not load or start: nothing runs, the message says why.</summary>
    public static RuntimeContainerStatus LoadError(string message) => new(ContainerRunState.Error, "", false, 0, false, message);
}

/// <summary>
/// A container's durable update state (bootloader) plus what the runtime last saw of it. <see cref="SecurityFloor"/> is
/// the effective floor (max of state log and counter store); <see cref="CounterStore"/> is the write-once store's use
/// (status.json format 3), null on a device whose v1 partition table has none (floors in the state log only) and in
/// files of formats 1 and 2. Compares by value.
/// </summary>
public sealed record ContainerStatus(
    string Name,
    ContainerState State,
    SlotId ConfirmedSlot,
    SlotId TrialSlot,
    int AttemptsLeft,
    uint SecurityFloor,
    EquatableList<SlotStatus> Slots,
    RuntimeContainerStatus? Runtime)
{
    /// <summary>Not written when null, so files of formats 1 and 2 read and write back byte for byte.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CounterStoreStatus? CounterStore { get; init; }

    public static ContainerStatus Of(string name, ContainerRecord record, RuntimeContainerStatus? runtime, SecurityCounterReading? counter = null)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(name, record.State, record.ConfirmedSlot, record.TrialSlot, record.AttemptsLeft, record.SecurityFloor,
            [SlotStatus.Of(SlotId.A, record.SlotA), SlotStatus.Of(SlotId.B, record.SlotB)], runtime)
        {
            CounterStore = counter is null ? null : CounterStoreStatus.Of(counter),
        };
    }

    /// <summary>The version in <paramref name="slot"/>, or null when that slot is empty or none.</summary>
    public string? VersionIn(SlotId slot) => Slots.FirstOrDefault(s => s.Slot == slot && slot != SlotId.None)?.Version;
}
