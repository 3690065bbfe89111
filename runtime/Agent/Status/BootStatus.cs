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
public sealed record BootStatus(DateTimeOffset At, EquatableList<BootResultStatus> Results);
