namespace AtymSecure.DeviceAgent.Trust;

/// <summary>
/// The time floor advanced by the agent's monotonic uptime (docs/trust-model.md §9). The verifier takes
/// <c>now = max(clock, floor)</c>, and a successful cycle stores <c>now</c> as the floor. On its own that floor only
/// moves when a cycle succeeds: an RTC that reset to 1970 (a power cut, a flat battery) would put the device back at its
/// last success for as long as the attacker keeps serving what was valid then. This type adds the uptime on top: the
/// floor last stored, plus the monotonic time elapsed since this process read it, which cannot run backwards and never
/// runs ahead of real time (the floor was at most the real time when it was stored). The agent persists the advanced
/// floor at most every <see cref="PersistInterval"/> (flash wear), and with every state it stores anyway, so a power
/// cut loses at most that much of it.
/// </summary>
internal sealed class UptimeTimeFloor(TimeProvider clock)
{
    /// <summary>How far the advanced floor may run ahead of the stored one before the agent writes it.</summary>
    public static readonly TimeSpan PersistInterval = TimeSpan.FromHours(1);

    private DateTimeOffset _anchor;
    private long _anchoredAt;
    private bool _anchored;

    /// <summary>
    /// The floor now: <paramref name="stored"/> when it is ahead (a success moved it, or this is the first reading),
    /// otherwise the anchor plus the uptime since it was taken.
    /// </summary>
    public DateTimeOffset Advance(DateTimeOffset stored)
    {
        if (_anchored)
        {
            var advanced = _anchor + clock.GetElapsedTime(_anchoredAt);
            if (advanced >= stored) return advanced;
        }
        _anchor = stored;
        _anchoredAt = clock.GetTimestamp();
        _anchored = true;
        return stored;
    }

    /// <summary>True when the advanced floor is far enough ahead of <paramref name="stored"/> to be worth a write.</summary>
    public bool DueToPersist(DateTimeOffset stored) => Advance(stored) - stored >= PersistInterval;
}
