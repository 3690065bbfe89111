using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Layout;

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
public sealed record BootStatus(DateTimeOffset At, IReadOnlyList<BootResultStatus> Results)
{
    public bool Equals(BootStatus? other) => other is not null && At == other.At && Results.SequenceEqual(other.Results);

    public override int GetHashCode() => HashCode.Combine(At, Results.Count);
}
