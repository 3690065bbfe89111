using AtymSecure.Formats.Container;

namespace AtymSecure.Runtime.Health;

/// <summary>
/// What a trial version must show: <see cref="PassesRequired"/> (K) passing probes in a row, all within
/// <see cref="Window"/> (T) of the trial start, probing every <see cref="Interval"/>.
/// </summary>
public sealed record HealthTrialPolicy(int PassesRequired, TimeSpan Window, TimeSpan Interval, TimeSpan ProbeTimeout)
{
    /// <summary>
    /// From the container's health check: K = passesToConfirm, interval and timeout as configured, and
    /// T = 3 × K × interval (at least 5 s) — the config has no explicit window, so the runtime allows three
    /// times the time K probes take, which absorbs a slow start but still ends a trial that never passes.
    /// A container without a health check is trialled by surviving <see cref="NoProbeWindow"/> without failing.
    /// </summary>
    public static HealthTrialPolicy From(HealthCheck? check)
    {
        if (check is null) return new HealthTrialPolicy(0, NoProbeWindow, NoProbeWindow, TimeSpan.Zero);
        var interval = TimeSpan.FromMilliseconds(Math.Max(1, check.IntervalMs));
        var k = Math.Max(1, check.PassesToConfirm);
        var window = TimeSpan.FromMilliseconds(Math.Max(5_000, 3.0 * k * interval.TotalMilliseconds));
        return new HealthTrialPolicy(k, window, interval, TimeSpan.FromMilliseconds(Math.Max(1, check.TimeoutMs)));
    }

    public static TimeSpan NoProbeWindow { get; } = TimeSpan.FromSeconds(10);
}
