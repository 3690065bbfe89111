namespace AtymSecure.Runtime.Drivers;

/// <summary>Sensors backed by <see cref="SignalGenerator"/>s sampled at the device clock's time since the bank was created.</summary>
public sealed class SimulatedSensorBank : ISensorDriver
{
    private readonly IReadOnlyDictionary<string, SignalGenerator> _signals;
    private readonly TimeProvider _clock;
    private readonly long _origin;

    public SimulatedSensorBank(TimeProvider clock, IReadOnlyDictionary<string, SignalGenerator> signals)
    {
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _origin = clock.GetTimestamp();
        _signals = new Dictionary<string, SignalGenerator>(signals ?? throw new ArgumentNullException(nameof(signals)), StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Names => [.. _signals.Keys];

    public bool TryRead(string name, out double value)
    {
        if (_signals.TryGetValue(name, out var signal))
        {
            value = signal.ValueAt(_clock.GetElapsedTime(_origin));
            return true;
        }
        value = 0;
        return false;
    }

    /// <summary>A typical demo device: a temperature sine with noise, a humidity step, a vibration channel with spikes.</summary>
    public static SimulatedSensorBank Demo(TimeProvider clock) => new(clock, new Dictionary<string, SignalGenerator>(StringComparer.Ordinal)
    {
        ["temp0"] = SignalGenerator.Sine(21.0, 3.0, TimeSpan.FromSeconds(60)) + SignalGenerator.Noise(0, 0.2, 1, TimeSpan.FromMilliseconds(100)),
        ["humidity0"] = SignalGenerator.Step(40, 55, TimeSpan.FromSeconds(30)),
        ["vibration0"] = SignalGenerator.Noise(0, 0.05, 7, TimeSpan.FromMilliseconds(10)) + SignalGenerator.Spike(0, 5, TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(50)),
    });
}
