using AtymSecure.Runtime.Drivers;
using AtymSecure.Runtime.Execution;

namespace AtymSecure.DeviceAgent;

/// <summary>How long <see cref="DeviceRunner"/> runs and how often it looks for updates.</summary>
public sealed record DeviceRunOptions
{
    /// <summary>How often the update source is asked for ready updates and the status file refreshed.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Return once no trial runs, no update is ready and <see cref="SettleQuiet"/> passed without an event (scripts, tests).</summary>
    public bool UntilSettled { get; init; }

    public TimeSpan SettleQuiet { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Return after this long (null = until cancelled).</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Topic filter whose bus messages the device logs (a telemetry tap; e.g. <c>#</c>); null = none.</summary>
    public string? TraceTopics { get; init; }

    public RuntimeOptions Runtime { get; init; } = new();

    /// <summary>
    /// The device's sensors, made on its clock at power-on; null = <see cref="SimulatedSensorBank.Demo"/>. A fleet simulation
    /// gives a share of its devices a broken sensor bank (reads fail), so their containers' health probes fail.
    /// </summary>
    public Func<TimeProvider, ISensorDriver>? Sensors { get; init; }
}
