using System.Collections.Concurrent;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Engines;
using Wasmtime;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// The containers of one device, side by side: in-process, one engine per distinct stack limit (Wasmtime's wasm stack
/// limit is an engine setting; from its own <see cref="EngineCache"/>, or the one <see cref="RuntimeOptions.SharedEngines"/>
/// names, which many runtimes in one process share), one store and one thread per container; in process mode
/// (<see cref="RuntimeOptions.Isolation"/>) one OS process per container run, driven from that container's thread. Loading checks verified code
/// against the engine profile; everything after that is supervised per container.
/// </summary>
public sealed class ContainerRuntime : IDisposable
{
    private readonly EngineCache _engines;
    private readonly bool _ownsEngines;
    private readonly ConcurrentDictionary<string, ContainerSupervisor> _containers = new(StringComparer.Ordinal);
    private readonly List<Module> _modules = [];

    public ContainerRuntime(EngineProfile profile, DeviceServices services, RuntimeOptions? options = null)
    {
        Profile = profile ?? throw new ArgumentNullException(nameof(profile));
        if (profile.Interruption == CpuInterruption.None)
            throw new EngineConfigurationException("an engine without fuel or epoch interruption cannot enforce a container's CPU budget");
        Services = services ?? throw new ArgumentNullException(nameof(services));
        Options = options ?? new RuntimeOptions();
        _ownsEngines = Options.SharedEngines is null;
        // CPU budgets are counted in ticks of RuntimeOptions.EpochTick: a shared ticker running at another pace would scale them.
        if (Options.SharedEngines is { } shared && shared.EpochTick != Options.EpochTick)
            throw new EngineConfigurationException($"the shared engines tick every {shared.EpochTick.TotalMilliseconds} ms, the runtime options say {Options.EpochTick.TotalMilliseconds} ms");
        _engines = Options.SharedEngines ?? new EngineCache(Options.EpochTick);
    }

    public EngineProfile Profile { get; }

    public DeviceServices Services { get; }

    public RuntimeOptions Options { get; }

    public IReadOnlyList<ContainerSupervisor> Containers => [.. _containers.Values.OrderBy(c => c.Name, StringComparer.Ordinal)];

    public ContainerSupervisor? Find(string name) => _containers.GetValueOrDefault(name);

    /// <summary>
    /// Loads the container's verified code and starts it on its own thread.
    /// </summary>
    /// <exception cref="ArtifactIncompatibleException">The code does not fit this engine (the bundle must be rejected).</exception>
    /// <exception cref="InvalidOperationException">A container of that name is already running.</exception>
    public ContainerSupervisor Start(ContainerSpec spec)
    {
        var supervisor = Create(spec);
        supervisor.Start();
        return supervisor;
    }

    /// <summary>Loads and registers without starting (state <see cref="ContainerRunState.Created"/>).</summary>
    public ContainerSupervisor Create(ContainerSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (_containers.TryGetValue(spec.Name, out var existing) && !existing.IsFinished)
            throw new InvalidOperationException($"container '{spec.Name}' is already {existing.State.ToString().ToLowerInvariant()}; stop it first");
        if (Options.ResolveIsolation(Profile) == ContainerIsolation.Process)
        {
            // The agent never maps a container's code in process mode: it checks compatibility and hands the bytes over.
            AtymSecure.Runtime.Isolation.ContainerProcessRunner.CheckLoadable(spec, Profile);
            var isolated = new ContainerSupervisor(spec, new AtymSecure.Runtime.Isolation.ContainerProcessRunner(spec, Profile, Services, Options, StackBytesFor(spec.Config.Resources.MaxStackBytes)), Services, Options);
            _containers[spec.Name] = isolated;
            return isolated;
        }
        var engine = EngineFor(spec.Config.Resources.MaxStackBytes);
        Module module;
        try
        {
            module = new ModuleLoader(engine, Profile).Load(spec.Code);
        }
        catch (WasmtimeException e)
        {
            throw new ArtifactIncompatibleException($"container '{spec.Name}': code does not load: {e.Message}", e);
        }
        lock (_modules) _modules.Add(module);
        var supervisor = new ContainerSupervisor(spec, new InProcessRunner(spec, module, engine, Profile.Interruption, Services, Options), Services, Options);
        _containers[spec.Name] = supervisor;
        return supervisor;
    }

    /// <summary>Stops one container and forgets it (its key-value store stays).</summary>
    public bool Remove(string name, TimeSpan timeout)
    {
        if (!_containers.TryRemove(name, out var s)) return false;
        var stopped = s.Stop(timeout);
        Services.Bus.RemoveAll(name);
        return stopped;
    }

    public void StopAll(TimeSpan timeout)
    {
        foreach (var c in _containers.Values) c.Stop(TimeSpan.Zero);
        var deadline = DateTime.UtcNow + timeout;
        foreach (var c in _containers.Values) c.WaitForEnd(Max(deadline - DateTime.UtcNow, TimeSpan.Zero));
    }

    /// <summary>The engine for a container stack limit (rounded up to 64 KiB, at least 64 KiB).</summary>
    internal Engine EngineFor(long stackBytes)
    {
        var rounded = StackBytesFor(stackBytes);
        return _engines.For(Profile, rounded);
    }

    /// <summary>The engine's wasm stack limit for a container's <c>maxStackBytes</c>: rounded up to 64 KiB, 64 KiB to 4 MiB.</summary>
    internal static int StackBytesFor(long stackBytes) => (int)Math.Clamp((stackBytes + 0xFFFF) & ~0xFFFFL, 0x10000, 4 * 1024 * 1024);

    /// <summary>The isolation containers of this runtime get (<see cref="RuntimeOptions.ResolveIsolation"/>).</summary>
    public ContainerIsolation Isolation => Options.ResolveIsolation(Profile);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    public void Dispose()
    {
        StopAll(TimeSpan.FromSeconds(10));
        foreach (var c in _containers.Values) c.Dispose();
        lock (_modules)
        {
            foreach (var m in _modules) m.Dispose();
        }
        if (_ownsEngines) _engines.Dispose();
    }
}
