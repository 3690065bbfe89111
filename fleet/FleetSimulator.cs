using AtymSecure.Runtime.Execution;

namespace AtymSecure.Fleet;

/// <summary>
/// N simulated devices in this process (<c>atym fleet simulate</c>): each the real device agent with its own identity,
/// flash, bootloader and runtime, against the real server over HTTP; one <see cref="EngineCache"/> for all of them (one
/// Wasmtime engine per class and stack limit, one epoch ticker), one thread per device for its runner. Faults hit the
/// share of devices each <see cref="FleetFault"/> names. <see cref="Summary"/> reads every device's own status;
/// <see cref="Memory"/> is the per-device cost measured once all devices have powered on.
/// </summary>
public sealed class FleetSimulator : IAsyncDisposable
{
    private readonly FleetOptions _options;
    private readonly EngineCache _engines;
    private readonly List<SimulatedDevice> _devices = [];
    private readonly List<Task> _runs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly (long Heap, long WorkingSet) _before;

    private FleetSimulator(FleetOptions options)
    {
        _options = options;
        _before = FleetMemory.Sample();
        _engines = new EngineCache(new RuntimeOptions().EpochTick);
    }

    /// <summary>Provisions (or reuses) every device folder and powers every device on.</summary>
    /// <exception cref="ArgumentException">The options have problems (all listed).</exception>
    public static FleetSimulator Start(FleetOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Problems() is { Count: > 0 } problems) throw new ArgumentException(string.Join("; ", problems), nameof(options));
        var fleet = new FleetSimulator(options);
        try
        {
            for (var i = 0; i < options.Devices; i++)
            {
                var faults = options.Faults.Where(f => f.Hits(i, options.Devices)).ToList();
                var device = new SimulatedDevice(i, options.Profiles[i % options.Profiles.Count], options, faults, fleet._engines, clock ?? TimeProvider.System);
                fleet._devices.Add(device);
                device.Provision();
            }
            foreach (var device in fleet._devices)
                fleet._runs.Add(Task.Factory.StartNew(() => device.Run(fleet._stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        }
        catch
        {
            fleet._stop.Cancel();
            foreach (var d in fleet._devices) d.Dispose();
            fleet._engines.Dispose();
            throw;
        }
        return fleet;
    }

    public IReadOnlyList<SimulatedDeviceView> Devices =>
        [.. _devices.Select(d => new SimulatedDeviceView(d.Index, d.DeviceId, d.Profile, d.Enrolled, d.PowerCuts, d.OfflineRefusals, d.Status,
            string.Join(",", d.Faults.Order()).ToLowerInvariant()))];

    public FleetSummary Summary() => FleetSummary.Of(Devices);

    /// <summary>Every device runs a container (its runtime, engine use and stores exist): a fair moment to measure memory.</summary>
    public bool AllRunning => _devices.All(d => d.Status?.Containers.Any(c => c.Runtime is not null) == true);

    /// <summary>Memory per device now, against the process before the fleet was made.</summary>
    public FleetMemory Memory()
    {
        var (heap, workingSet) = FleetMemory.Sample();
        return new FleetMemory(_devices.Count, _before.Heap, heap, _before.WorkingSet, workingSet, _engines.Count);
    }

    /// <summary>Stops every device (each finishes its power-on cleanly: trials cancelled, containers stopped, status written).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_runs).ConfigureAwait(false);
        foreach (var d in _devices) d.Dispose();
        _engines.Dispose();
        _stop.Dispose();
    }
}
