using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Engines;
using AtymSecure.Runtime.Logging;
using Wasmtime;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// Runs one container on its own thread and supervises it: lifecycle states, stop/pause/resume, health
/// probes, and restarts with exponential backoff (<see cref="RestartTracker"/>), reporting a crash loop as
/// such. A failing container only ever affects itself.
/// </summary>
public sealed class ContainerSupervisor : IDisposable
{
    private readonly Module _module;
    private readonly Engine _engine;
    private readonly CpuInterruption _interruption;
    private readonly DeviceServices _services;
    private readonly RuntimeOptions _options;
    private readonly RestartTracker _tracker;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<ContainerEvent> _history = [];
    private Thread? _thread;
    private RunControl? _current;
    private RunControl? _lastControl;
    private bool _paused;

    internal ContainerSupervisor(ContainerSpec spec, Module module, Engine engine, CpuInterruption interruption, DeviceServices services, RuntimeOptions options)
    {
        Spec = spec;
        _module = module;
        _engine = engine;
        _interruption = interruption;
        _services = services;
        _options = options;
        _tracker = new RestartTracker(spec.Config.Restart, options.StableRun, options.CrashLoopThreshold);
    }

    public ContainerSpec Spec { get; }

    public string Name => Spec.Name;

    public ContainerRunState State { get; private set; } = ContainerRunState.Created;

    public RunOutcome? LastOutcome { get; private set; }

    public bool CrashLoop { get; private set; }

    public int Restarts => _tracker.Restarts;

    public string StatusMessage { get; private set; } = "created";

    /// <summary>Raised on the container's thread for every state change; handlers must be quick.</summary>
    public event Action<ContainerEvent>? Changed;

    public IReadOnlyList<ContainerEvent> History
    {
        get { lock (_lock) return [.. _history]; }
    }

    public bool IsFinished => State is ContainerRunState.Exited or ContainerRunState.Stopped or ContainerRunState.Error && _thread is { IsAlive: false };

    public void Start()
    {
        lock (_lock)
        {
            if (_thread is not null) throw new InvalidOperationException($"container '{Name}' was already started");
            // Wasm runs on this thread's native stack: give it room above the container's wasm stack limit.
            _thread = new Thread(Loop, maxStackSize: 8 * 1024 * 1024) { IsBackground = true, Name = $"container:{Name}" };
        }
        _thread.Start();
    }

    /// <summary>Asks the container to stop (at its next scheduling point, within one CPU slice) and waits.</summary>
    public bool Stop(TimeSpan timeout)
    {
        lock (_lock)
        {
            _stop.Cancel();
            _current?.RequestStop();
        }
        return _thread is null || _thread.Join(timeout);
    }

    public void Pause()
    {
        lock (_lock)
        {
            _paused = true;
            _current?.Pause();
            if (State == ContainerRunState.Running) Publish(ContainerRunState.Paused, null, "paused");
        }
    }

    public void Resume()
    {
        lock (_lock)
        {
            _paused = false;
            _current?.Resume();
            if (State == ContainerRunState.Paused) Publish(ContainerRunState.Running, null, "resumed");
        }
    }

    /// <summary>Runs the health probe on the container's thread at its next scheduling point.</summary>
    public Task<ProbeResult> Probe()
    {
        lock (_lock)
        {
            return _current is { } run && State == ContainerRunState.Running
                ? run.RequestProbe()
                : Task.FromResult(new ProbeResult(false, $"container is {State.ToString().ToLowerInvariant()}"));
        }
    }

    /// <summary>Waits until the supervisor thread has ended (after exit, stop, give-up).</summary>
    public bool WaitForEnd(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    public void Dispose()
    {
        Stop(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    private void Loop()
    {
        while (true)
        {
            using var control = new RunControl();
            lock (_lock)
            {
                if (_stop.IsCancellationRequested)
                {
                    Publish(ContainerRunState.Stopped, null, "stopped before start");
                    return;
                }
                if (_paused) control.Pause();
                _current = control;
                Publish(_paused ? ContainerRunState.Paused : ContainerRunState.Running, null, "started");
            }

            RunOutcome outcome;
            try
            {
                outcome = new ContainerRun(Spec, _module, _engine, _interruption, _services, control, _options).Execute();
            }
#pragma warning disable CA1031 // A runtime bug in one container must not take the device process down.
            catch (Exception e)
#pragma warning restore CA1031
            {
                outcome = new RunOutcome(OutcomeKind.LoadFailed, null, $"runtime error: {e.GetType().Name}: {e.Message}", TimeSpan.Zero);
            }
            lock (_lock)
            {
                _current = null;
                _lastControl = control;
                LastOutcome = outcome;
            }
            Log(outcome.IsFailure ? LogLevel.Error : LogLevel.Info, $"run ended: {outcome}");
            // Probes still queued are answered after the outcome is published (below, via Dispose), so a
            // trial sees why the run ended before it sees the probe that could not be served.
            if (_stop.IsCancellationRequested || outcome.Kind == OutcomeKind.Stopped)
            {
                Publish(ContainerRunState.Stopped, outcome, "stopped on request");
                return;
            }

            var decision = _tracker.OnRunEnded(outcome);
            CrashLoop = decision.CrashLoop;
            if (!decision.Restart)
            {
                var final = decision.CrashLoop || (outcome.IsFailure && outcome.Kind != OutcomeKind.Exited)
                    ? ContainerRunState.Error
                    : ContainerRunState.Exited;
                Publish(final, outcome, decision.Reason);
                return;
            }
            Publish(ContainerRunState.Created, outcome, decision.Reason);
            try
            {
                _services.Clock.Sleep(decision.Delay, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                Publish(ContainerRunState.Stopped, outcome, "stopped during restart backoff");
                return;
            }
        }
    }

    private void Publish(ContainerRunState state, RunOutcome? outcome, string message)
    {
        PublishCore(state, outcome, message);
        if (outcome is not null) _lastControl?.FailPendingProbes($"container run ended: {outcome}");
    }

    private void PublishCore(ContainerRunState state, RunOutcome? outcome, string message)
    {
        ContainerEvent e;
        lock (_lock)
        {
            State = state;
            StatusMessage = message;
            e = new ContainerEvent(Name, Spec.Version, state, outcome, CrashLoop, message, _services.Clock.Now);
            _history.Add(e);
            if (_history.Count > 200) _history.RemoveAt(0);
        }
        Changed?.Invoke(e);
    }

    private void Log(LogLevel level, string message) =>
        _services.Log.Write(new LogRecord(_services.Clock.Now, Name, level, "runtime", message));
}
