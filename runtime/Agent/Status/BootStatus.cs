using System.Text.Json.Serialization;
using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Primitives;

namespace AtymSecure.DeviceAgent.Status;

/// <summary>What the last boot decided for one container.</summary>
public sealed record BootResultStatus(string Container, BootOutcome Outcome, SlotId Slot, string? Version)
{
    public static BootResultStatus Of(ContainerBootResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new(result.Container, result.Outcome, result.RunningSlot, result.RunningImage?.Version?.ToString());
    }
}

/// <summary>The last boot selection of every container. Compares by value.</summary>
public sealed record BootStatus(DateTimeOffset At, EquatableList<BootResultStatus> Results)
{
    /// <summary>
    /// Which power-on this was: 1 for the first boot after provisioning, one more at every boot selection of the whole
    /// device (a container restarted into a new trial on a running device is no boot). The device's boot count, as its
    /// version report carries it. Null in files written before it existed, and then not written, so those read and write
    /// back byte for byte (an addition within format 3); their next boot is counted from there as the first. A
    /// status.json that cannot be read starts empty, and so does the count.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? Number { get; init; }

    /// <summary>The boot after <paramref name="previous"/> (null: the first one this file knows of).</summary>
    public static long NumberAfter(BootStatus? previous) => (previous?.Number ?? 0) + 1;
}
