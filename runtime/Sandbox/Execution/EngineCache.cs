using System.Collections.Concurrent;
using AtymSecure.Engines;
using Wasmtime;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// Wasmtime engines by engine profile and wasm stack limit (an engine setting), created on first use, with one epoch
/// ticker for all of them. A <see cref="ContainerRuntime"/> owns one by default; a fleet simulation shares one across
/// every simulated device (<see cref="RuntimeOptions.SharedEngines"/>): a Wasmtime <c>Engine</c> is thread-safe and holds
/// the compiled-code machinery, so N devices of one class cost one engine, and the epoch ticker is one timer, not N
/// (N timers on one engine would also make its epochs run N times too fast).
/// </summary>
public sealed class EngineCache : IDisposable
{
    private readonly ConcurrentDictionary<(EngineProfile Profile, int StackBytes), Lazy<Engine>> _engines = new();
    private readonly Timer _epochTicker;
    private int _disposed;

    /// <param name="epochTick">How often engines with epoch interruption advance their epoch (<see cref="RuntimeOptions.EpochTick"/>).</param>
    public EngineCache(TimeSpan epochTick)
    {
        if (epochTick <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(epochTick), epochTick, "the epoch tick must be positive");
        EpochTick = epochTick;
        _epochTicker = new Timer(_ => TickEpochs(), null, epochTick, epochTick);
    }

    public TimeSpan EpochTick { get; }

    /// <summary>Engines created so far (a fleet's per-device cost is measured against this staying small).</summary>
    public int Count => _engines.Count(e => e.Value.IsValueCreated);

    /// <summary>The engine for <paramref name="profile"/> with a wasm stack limit of <paramref name="stackBytes"/> (already rounded).</summary>
    public Engine For(EngineProfile profile, int stackBytes)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return _engines.GetOrAdd((profile, stackBytes), key => new Lazy<Engine>(() => EngineFactory.Create(key.Profile with { MaxWasmStackBytes = key.StackBytes }))).Value;
    }

    private void TickEpochs()
    {
        foreach (var (key, engine) in _engines)
        {
            if (key.Profile.Interruption == CpuInterruption.Epoch && engine.IsValueCreated) engine.Value.IncrementEpoch();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _epochTicker.Dispose();
        foreach (var engine in _engines.Values)
        {
            if (engine.IsValueCreated) engine.Value.Dispose();
        }
    }
}
