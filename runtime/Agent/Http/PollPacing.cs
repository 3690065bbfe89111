namespace AtymSecure.DeviceAgent.Http;

/// <summary>
/// How long the update loop waits before its next try (issue 12 §5). After a good tick: the poll interval — the one
/// the server's last answer named, until then <see cref="HttpUpdateOptions.InitialPollInterval"/> — × (1 ± jitter),
/// so a fleet that powered on together spreads out. After the n-th failure in a row: min(max, min·2^(n−1)) with
/// equal jitter (a uniform pick in its upper half: never zero, never above the cap), or the server's own delay
/// (Retry-After, a pending enrolment's retry) when it gave one. The random source is the options', so tests pin it.
/// </summary>
public sealed class PollPacing(HttpUpdateOptions options)
{
    private readonly Random _random = options.Random ?? Random.Shared;

    /// <summary>The interval a good tick waits around: the server's last, or the initial one.</summary>
    public TimeSpan Interval { get; private set; } = options.InitialPollInterval;

    /// <summary>Failures since the last good tick.</summary>
    public int Failures { get; private set; }

    /// <summary>A poll answer named <paramref name="interval"/>: every good tick from now on waits around it.</summary>
    public void ServerInterval(TimeSpan interval) => Interval = interval;

    public TimeSpan AfterSuccess()
    {
        Failures = 0;
        return Interval * (1 + (((_random.NextDouble() * 2) - 1) * options.PollJitter));
    }

    public TimeSpan AfterFailure(TimeSpan? serverDelay = null)
    {
        Failures++;
        if (serverDelay is { } delay) return delay;
        var ceiling = Math.Min(options.MaxBackoff.TotalSeconds, options.MinBackoff.TotalSeconds * Math.Pow(2, Math.Min(Failures - 1, 30)));
        return TimeSpan.FromSeconds(ceiling * (0.5 + (_random.NextDouble() / 2)));
    }
}
