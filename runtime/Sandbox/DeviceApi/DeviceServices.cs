using AtymSecure.Runtime.Drivers;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;
using AtymSecure.Runtime.Storage;

namespace AtymSecure.Runtime.DeviceApi;

/// <summary>
/// The device-wide parts the device API reaches: clock, log, drivers, message bus and per-container
/// key-value stores. One instance per device; every container sees it through its grants only.
/// </summary>
public sealed class DeviceServices
{
    private readonly long _poweredOn;

    public DeviceServices(TimeProvider clock, ILogSink log, ISensorDriver sensors, IGpioDriver gpio, MessageBus bus, IKeyValueStoreProvider kv)
    {
        Clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _poweredOn = clock.GetTimestamp();
        Log = log ?? throw new ArgumentNullException(nameof(log));
        Sensors = sensors ?? throw new ArgumentNullException(nameof(sensors));
        Gpio = gpio ?? throw new ArgumentNullException(nameof(gpio));
        Bus = bus ?? throw new ArgumentNullException(nameof(bus));
        KeyValueStores = kv ?? throw new ArgumentNullException(nameof(kv));
    }

    /// <summary>The device's clock: what containers, supervisors and trials sleep on (real, or virtual in tests and simulation).</summary>
    public TimeProvider Clock { get; }

    /// <summary>
    /// Monotonic time since these services were created (the device's power-on): the time of log records, bus
    /// messages and container events, and of the device API's clocks.
    /// </summary>
    public TimeSpan Uptime => Clock.GetElapsedTime(_poweredOn);

    public ILogSink Log { get; }

    public ISensorDriver Sensors { get; }

    public IGpioDriver Gpio { get; }

    public MessageBus Bus { get; }

    public IKeyValueStoreProvider KeyValueStores { get; }

    /// <summary>Wall-clock origin for WASI's realtime clock (virtual devices pin it for reproducibility).</summary>
    public DateTimeOffset RealtimeOrigin { get; init; } = DateTimeOffset.UnixEpoch.AddYears(56);

    /// <summary>Each container's log budget unless its config sets a rate (<see cref="LogLimits"/>).</summary>
    public LogLimits LogLimits { get; init; } = LogLimits.Default;

    /// <summary>The device-wide RAM budget every container run reserves from (unlimited unless the device sets one).</summary>
    public Budgets.DeviceMemoryAccountant Memory { get; init; } = AtymSecure.Runtime.Budgets.DeviceMemoryAccountant.Unlimited();

    /// <summary>Fills <paramref name="buffer"/> with random bytes (device RNG).</summary>
    public Action<Span<byte>> Random { get; init; } = System.Security.Cryptography.RandomNumberGenerator.Fill;
}

/// <summary>Opens (and keeps open) each container's store; the store outlives restarts of the container.</summary>
public interface IKeyValueStoreProvider
{
    IKeyValueStore For(string container);
}

/// <summary>One <see cref="AppendOnlyKvStore"/> file per container under a directory.</summary>
public sealed class FileKeyValueStoreProvider(string directory, KvLimits? limits = null) : IKeyValueStoreProvider, IDisposable
{
    private readonly Dictionary<string, AppendOnlyKvStore> _open = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public IKeyValueStore For(string container)
    {
        if (Formats.Container.Capability.CheckName(container) is { } error)
            throw new ArgumentException($"container name unusable as a store file: {error}", nameof(container));
        lock (_lock)
        {
            if (!_open.TryGetValue(container, out var store))
            {
                store = new AppendOnlyKvStore(Path.Combine(directory, container + ".kvlog"), limits);
                _open[container] = store;
            }
            return store;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var s in _open.Values) s.Dispose();
            _open.Clear();
        }
    }
}
