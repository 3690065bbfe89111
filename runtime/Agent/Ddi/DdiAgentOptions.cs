namespace AtymSecure.DeviceAgent.Ddi;

/// <summary>
/// <c>atym device run --ddi URL --tenant T --token K</c>: the hawkBit DDI server, the tenant, the controller id (default:
/// the device's own id) and its <c>TargetToken</c>, and how the agent paces itself when the server names no sleep or
/// fails. The server's <c>config.polling.sleep</c> decides the interval between polls, clamped to
/// <see cref="MinPoll"/> … <see cref="MaxPoll"/>.
/// </summary>
public sealed record DdiAgentOptions(Uri Server, string Tenant, string? TargetToken, string? ControllerId = null)
{
    public TimeSpan MinPoll { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxPoll { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Wait after a failed request (server down, garbage), doubling per failure up to <see cref="MaxPoll"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The interval to use for a server sleep of <paramref name="sleep"/> (null: the server named none, or an invalid one).</summary>
    public TimeSpan PollFor(TimeSpan? sleep) =>
        sleep is { } s ? TimeSpan.FromTicks(Math.Clamp(s.Ticks, MinPoll.Ticks, MaxPoll.Ticks)) : TimeSpan.FromTicks(Math.Max(MinPoll.Ticks, RetryDelay.Ticks));
}
