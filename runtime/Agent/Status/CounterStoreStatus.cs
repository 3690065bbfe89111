using AtymSecure.Bootloader.State;

namespace AtymSecure.DeviceAgent.Status;

/// <summary>
/// A container's write-once security-counter store as status shows it (status.json format 3): the floor it holds, the
/// entries (bumps) used of its capacity, and whether it is used up (then an install above the floor is refused with
/// <c>counter-exhausted</c>; an equal counter still installs).
/// </summary>
public sealed record CounterStoreStatus(uint Floor, int Used, int Capacity, bool Exhausted)
{
    public static CounterStoreStatus Of(SecurityCounterReading reading)
    {
        ArgumentNullException.ThrowIfNull(reading);
        return new(reading.Floor, reading.Used, reading.Capacity, reading.Exhausted);
    }

    /// <summary>"counter 7 (12/256 used)", with "USED UP" when no bump is left.</summary>
    public override string ToString() => $"counter {Floor} ({Used}/{Capacity} used{(Exhausted ? ", USED UP: no higher counter can install" : "")})";
}
