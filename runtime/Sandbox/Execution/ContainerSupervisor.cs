using AtymSecure.Primitives;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// Runs one container on its own thread (in-process, or in its own OS process driven from that thread: see
/// <see cref="IContainerRunner"/>) and supervises it: lifecycle states, stop/pause/resume, health
/// probes, and restarts with exponential backoff (<see cref="RestartTracker"/>), reporting a crash loop as
/// such. A failing container only ever affects itself.
/// </summary>
/// <remarks>
/// Locking: <c>_lock</c> guards state and history only and is never held while calling out. State changes
/// are recorded under it and <see cref="Changed"/> is raised after it is released (a handler that takes its
/// own lock would otherwise deadlock against a thread holding that lock and reading <see cref="History"/>).
/// </remarks>
public sealed class ContainerSupervisor : IDisposable
{
    private readonly IContainerRunner _runner;
    private readonly DeviceServices _services;
    private readonly RuntimeOptions _options;
    private readonly RestartTracker _tracker;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly List<ContainerEvent> _history = [];
    private readonly Queue<ContainerEvent> _undelivered = new();
    private bool _delivering;
    private Thread? _thread;

    // The run that serves probes: set from Start (first run) or the start of a restart until that run ends.
    private RunControl? _current;
    private bool _paused;

    internal ContainerSupervisor(ContainerSpec spec, IContainerRunner runner, DeviceServices services, RuntimeOptions options)
    {
        Spec = spec;
        _runner = runner;
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

    /// <summary>
    /// Raised for every state change, in order, one at a time, with no supervisor lock held (usually on the
    /// container's thread; a pause or resume may be raised on the caller's). Handlers must be quick.
    /// </summary>
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
            // The first run's control exists before its thread does, so a probe asked for right after Start
            // is queued for the first scheduling point instead of failing because the thread is not up yet.
            _current = new RunControl();
            if (_paused) _current.Pause();
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
            if (State == ContainerRunState.Running) Record(ContainerRunState.Paused, null, "paused");
        }
        Deliver();
    }

    public void Resume()
    {
        lock (_lock)
        {
            _paused = false;
            _current?.Resume();
            if (State == ContainerRunState.Paused) Record(ContainerRunState.Running, null, "resumed");
        }
        Deliver();
    }

    /// <summary>
    /// Runs the health probe on the container's thread at its next scheduling point. Completes promptly in
    /// every case: with the probe's result, or failed when the container is paused, between runs (restart
    /// backoff), ended, or its run ends before serving it. A failure because a run ended completes only
    /// after that run's outcome is in <see cref="History"/>.
    /// </summary>
    public Task<ProbeResult> Probe()
    {
        lock (_lock)
        {
            return _current is { } run && !_paused
                ? run.RequestProbe()
                : Task.FromResult(new ProbeResult(false, $"container is {State.ToString().ToLowerInvariant()}: {StatusMessage}"));
        }
    }

    /// <summary>Waits until the supervisor thread has ended (after exit, stop, give-up).</summary>
    public bool WaitForEnd(TimeSpan timeout) => _thread is null || _thread.Join(timeout);

    public void Dispose()
    {
        // A thread that did not end in time still reads the stop token: leave it undisposed then.
        if (Stop(TimeSpan.FromSeconds(10))) _stop.Dispose();
    }

    private void Loop()
    {
        RunControl control;
        lock (_lock) control = _current ?? new RunControl();
        while (RunOnce(control) is { } backoff)
        {
            try
            {
                _services.Clock.Sleep(backoff, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                lock (_lock) Record(ContainerRunState.Stopped, LastOutcome, "stopped during restart backoff");
                Deliver();
                return;
            }
            control = new RunControl();
        }
    }

    /// <summary>One run with <paramref name="control"/>; returns the restart backoff, or null when supervision ends.</summary>
    private TimeSpan? RunOnce(RunControl control)
    {
        using var _ = control; // disposing fails probes left over, after the state that explains them is published
        bool started;
        lock (_lock)
        {
            started = !_stop.IsCancellationRequested;
            if (!started)
            {
                _current = null;
                Record(ContainerRunState.Stopped, null, "stopped before start");
            }
            else
            {
                if (_paused) control.Pause();
                _current = control;
                Record(_paused ? ContainerRunState.Paused : ContainerRunState.Running, null, "started");
            }
        }
        Deliver();
        if (!started) return null;

        RunOutcome outcome;
        try
        {
            outcome = _runner.Run(control);
        }
#pragma warning disable CA1031 // A runtime bug in one container must not take the device process down.
        catch (Exception e)
#pragma warning restore CA1031
        {
            outcome = new RunOutcome(OutcomeKind.LoadFailed, null, $"runtime error: {e.GetType().Name}: {e.Message}", TimeSpan.Zero);
        }
        Log(outcome.IsFailure ? LogLevel.Error : LogLevel.Info, $"run ended: {outcome}");

        var stopped = _stop.IsCancellationRequested || outcome.Kind == OutcomeKind.Stopped;
        var decision = stopped ? null : _tracker.OnRunEnded(outcome);
        lock (_lock)
        {
            // One step: no probe can be queued on the ended run, and a probe asked for from now on fails
            // at once with a state that already says why the run ended.
            _current = null;
            LastOutcome = outcome;
            if (decision is null)
            {
                Record(ContainerRunState.Stopped, outcome, "stopped on request");
            }
            else
            {
                CrashLoop = decision.CrashLoop;
                var final = decision.CrashLoop || (outcome.IsFailure && outcome.Kind != OutcomeKind.Exited)
                    ? ContainerRunState.Error
                    : ContainerRunState.Exited;
                Record(decision.Restart ? ContainerRunState.Created : final, outcome, decision.Reason);
            }
        }
        Deliver();
        // Probes still queued (or one whose call trapped) are answered only now, so a trial sees why the
        // run ended before it sees the probe that could not be served.
        control.FailPendingProbes($"container run ended: {outcome}");
        return decision is { Restart: true } ? decision.Delay : null;
    }

    /// <summary>Records a state change for <see cref="Deliver"/>; the caller holds <c>_lock</c>.</summary>
    private void Record(ContainerRunState state, RunOutcome? outcome, string message)
    {
        State = state;
        StatusMessage = message;
        var e = new ContainerEvent(Name, Spec.Version, state, outcome, CrashLoop, message, _services.Uptime);
        _history.Add(e);
        if (_history.Count > 200) _history.RemoveAt(0);
        _undelivered.Enqueue(e);
    }

    /// <summary>
    /// Raises <see cref="Changed"/> for recorded events, in order, without holding <c>_lock</c>. Never waits:
    /// if another thread is delivering, that thread delivers these too.
    /// </summary>
    private void Deliver()
    {
        lock (_lock)
        {
            if (_delivering) return;
            _delivering = true;
        }
        var drained = false;
        try
        {
            while (true)
            {
                ContainerEvent e;
                lock (_lock)
                {
                    if (!_undelivered.TryDequeue(out e!))
                    {
                        _delivering = false;
                        drained = true;
                        return;
                    }
                }
                Changed?.Invoke(e);
            }
        }
        finally
        {
            if (!drained)
            {
                lock (_lock) _delivering = false;
            }
        }
    }

    private void Log(LogLevel level, string message) =>
        _services.Log.Write(new LogRecord(_services.Uptime, Name, level, "runtime", message));
}
