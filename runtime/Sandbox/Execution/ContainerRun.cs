using AtymSecure.Formats.Container;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Engines;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Budgets;
using Wasmtime;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// One run of one container on the calling thread, in its own <see cref="Store"/> with the container's
/// memory limit and CPU budget: link (granted imports only), instantiate, run <c>_start</c> or the step
/// entrypoint until it ends, and classify how it ended. Nothing a guest does escapes this method as an
/// exception: traps, fuel exhaustion, memory limits and refused imports all become a <see cref="RunOutcome"/>.
/// </summary>
internal sealed class ContainerRun
{
    private readonly ContainerSpec _spec;
    private readonly Module _module;
    private readonly Engine _engine;
    private readonly CpuInterruption _interruption;
    private readonly RunEnvironment _environment;
    private readonly RunControl _control;
    private readonly RuntimeOptions _options;
    private Store? _store;
    private SliceCpuBudget? _sliceBudget;
    private Instance? _instance;
    private RunOutcome? _failure;
    private bool _inProbe;
    private MemoryReservation? _memory;

    public ContainerRun(ContainerSpec spec, Module module, Engine engine, CpuInterruption interruption, RunEnvironment environment, RunControl control, RuntimeOptions options)
    {
        _spec = spec;
        _module = module;
        _engine = engine;
        _interruption = interruption;
        _environment = environment;
        _control = control;
        _options = options;
    }

    private ResourceLimits Limits => _spec.Config.Resources;

    /// <remarks>A run whose stop was requested ends <see cref="OutcomeKind.Stopped"/> (<see cref="RunOutcome.AsRequestedStop"/>).</remarks>
    public RunOutcome Execute()
    {
        var outcome = ExecuteToEnd();
        return _control.Stopping.IsCancellationRequested ? outcome.AsRequestedStop() : outcome;
    }

    private RunOutcome ExecuteToEnd()
    {
        var calls = _environment.Calls;
        var started = calls.Uptime;
        var context = new ContainerContext(_spec.Name, _spec.Grants, _spec.Variables, calls, _environment.MaxLineBytes)
        {
            Stopping = _control.Stopping,
        };
        context.SchedulingPoint = () => SchedulingPoint(context);
        try
        {
            _memory = _environment.Memory.Reserve(_spec.Name, Limits.MaxMemoryBytes, ContainerIsolation.InProcess);
        }
        catch (MemoryBudgetExceededException e)
        {
            context.Release();
            return Outcome(OutcomeKind.OutOfMemory, null, e.Message);
        }
        using var reservation = _memory;
        using var store = new Store(_engine, context);
        _store = store;
        try
        {
            store.SetLimits(memorySize: _memory.GrantedBytes, tableElements: 100_000, instances: 4, tables: 4, memories: 1);
            if (_interruption == CpuInterruption.Epoch)
            {
                _sliceBudget = new SliceCpuBudget(TimeSpan.FromMilliseconds(Math.Max(1, Limits.CpuBudgetMs)), _options);
                store.SetEpochDeadlineCallback(_sliceBudget.OnDeadline);
            }
            Refuel();
            Linker linker;
            try
            {
                linker = ImportLinker.Link(_engine, _module, context);
            }
            catch (ContainerLinkException e)
            {
                return Outcome(OutcomeKind.LinkFailed, null, e.Message);
            }
            using (linker)
            {
                try
                {
                    _instance = linker.Instantiate(store, _module);
                }
                catch (Exception e) when (e is WasmtimeException or TrapException)
                {
                    return Classify(e, context, instantiating: true);
                }
                var (kind, code, message) = RunEntrypoint(_instance, context);
                return Outcome(kind, code, message);
            }
        }
        catch (Exception e) when (e is WasmtimeException or TrapException or GuestUnwindException)
        {
            // Classified while the store is alive: the memory-limit check reads the instance's memory.
            return Classify(e, context, instantiating: false);
        }
        finally
        {
            context.Release();
            _instance = null;
            _store = null;
        }

        RunOutcome Outcome(OutcomeKind kind, int? code, string message) => new(kind, code, message, calls.Uptime - started);

        RunOutcome Classify(Exception e, ContainerContext c, bool instantiating)
        {
            var (kind, code, message) = ClassifyCore(e, c, instantiating);
            return Outcome(kind, code, message);
        }
    }

    /// <summary>Runs <c>_initialize</c> if present, then the entrypoint; returns (kind, code, message) of a normal end.</summary>
    private (OutcomeKind, int?, string) RunEntrypoint(Instance instance, ContainerContext context)
    {
        instance.GetAction("_initialize")?.Invoke();
        var entry = _spec.Config.Entrypoint;
        if (entry == ContainerConfig.StartEntrypoint)
        {
            var start = instance.GetAction(entry)
                ?? throw new WasmtimeException($"entrypoint '{entry}' is not exported as a () -> () function");
            start();
            return context.ExitCode is { } c ? (OutcomeKind.Exited, c, $"proc_exit({c})") : (OutcomeKind.Exited, 0, "returned from _start");
        }

        var step = instance.GetFunction<int>(entry)
            ?? throw new WasmtimeException($"entrypoint '{entry}' is not exported as a () -> i32 step function");
        while (true)
        {
            Refuel();
            var result = step();
            if (result != 0) return (OutcomeKind.Exited, result, $"step returned {result}");
            // Between slices: the same scheduling point a sleeping _start container reaches.
            AtymFunctions.Sleep(context, TimeSpan.FromMilliseconds(Math.Max(0, Limits.SliceIntervalMs)));
        }
    }

    /// <summary>The guest gave the CPU back: honour stop and pause, serve probes, start a new CPU slice.</summary>
    private void SchedulingPoint(ContainerContext context)
    {
        if (_inProbe) return;
        if (_control.Stopping.IsCancellationRequested) throw new GuestUnwindException("container stopped");
        if (_control.IsPaused)
        {
            // A paused container serves nothing until resumed: answer the queued probes now instead of
            // leaving whoever asked waiting on a pause that may last forever.
            _control.FailPendingProbes("container is paused");
            if (!_control.WaitWhilePaused()) throw new GuestUnwindException("container stopped while paused");
        }
        // A probe that traps throws out of here and ends the run; the supervisor fails it after publishing the outcome.
        _control.ServeProbes(() => RunProbe(context));
        Refuel();
    }

    private ProbeResult RunProbe(ContainerContext context)
    {
        if (_spec.Config.HealthCheck is not { } check) return new ProbeResult(true, "no health check configured");
        var probe = _instance?.GetFunction<int>(check.Probe);
        if (probe is null) return new ProbeResult(false, $"probe export '{check.Probe}' () -> i32 not found");
        _inProbe = true;
        var before = context.Calls.Uptime;
        try
        {
            Refuel();
            var result = probe();
            var took = context.Calls.Uptime - before;
            if (took > TimeSpan.FromMilliseconds(check.TimeoutMs))
                return new ProbeResult(false, $"probe took {took.TotalMilliseconds:F0} ms, timeout {check.TimeoutMs} ms");
            return result == 0 ? new ProbeResult(true, "probe returned 0") : new ProbeResult(false, $"probe returned {result}");
        }
        catch (Exception e) when (e is WasmtimeException or TrapException or GuestUnwindException)
        {
            // A trapping probe is a failed probe AND a failed run: the instance state can no longer be trusted.
            var (kind, code, message) = ClassifyCore(e, context, instantiating: false);
            _failure = new RunOutcome(kind, code, $"health probe: {message}", TimeSpan.Zero);
            throw new GuestUnwindException($"health probe failed: {message}");
        }
        finally
        {
            _inProbe = false;
        }
    }

    private void Refuel()
    {
        if (_store is null) return;
        if (_interruption == CpuInterruption.Fuel) _store.Fuel = _options.FuelFor(Limits.CpuBudgetMs);
        else
        {
            _sliceBudget?.Restart();
            _store.SetEpochDeadline(_options.EpochTicksFor(Limits.CpuBudgetMs));
        }
    }

    private (OutcomeKind, int?, string) ClassifyCore(Exception e, ContainerContext context, bool instantiating)
    {
        if (context.ExitCode is { } code) return (OutcomeKind.Exited, code, $"proc_exit({code})");
        if (_failure is { } f) return (f.Kind, f.ExitCode, f.Message);
        if (_control.Stopping.IsCancellationRequested) return (OutcomeKind.Stopped, null, "stopped on request");
        if (e is WasmtimeException { ExitCode: { } exit }) return (OutcomeKind.Exited, exit, $"exit({exit})");
        if (e is SliceBudgetExceededException or { InnerException: SliceBudgetExceededException })
            return (OutcomeKind.SliceDeadline, null, $"ran past its CPU budget of {Limits.CpuBudgetMs} ms in one slice ({(e as SliceBudgetExceededException ?? e.InnerException)!.Message})");
        var message = Summarize(e.Message);
        if (e is TrapException trap)
        {
            message = $"trap {trap.Type}: {message}";
            switch (trap.Type)
            {
                case TrapCode.OutOfFuel:
                    return (OutcomeKind.OutOfFuel, null, $"used its CPU budget of {Limits.CpuBudgetMs} ms ({_options.FuelFor(Limits.CpuBudgetMs)} fuel) in one slice");
                case TrapCode.Interrupt:
                    return (OutcomeKind.SliceDeadline, null, $"ran past its CPU budget of {Limits.CpuBudgetMs} ms in one slice (epoch deadline)");
                case TrapCode.StackOverflow:
                    return (OutcomeKind.StackOverflow, null, "wasm stack overflow");
            }
            if (AtMemoryLimit()) return (OutcomeKind.OutOfMemory, null, $"trapped at {LimitText()}: {message}");
            return (OutcomeKind.Trapped, null, message);
        }
        if (instantiating)
        {
            return e.Message.Contains("memory", StringComparison.OrdinalIgnoreCase) && (e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("exceeds", StringComparison.OrdinalIgnoreCase))
                ? (OutcomeKind.OutOfMemory, null, $"initial memory exceeds {LimitText()}: {message}")
                : (OutcomeKind.LoadFailed, null, $"instantiation failed: {message}");
        }
        if (e.Message.Contains("not exported", StringComparison.Ordinal)) return (OutcomeKind.LoadFailed, null, message);
        if (AtMemoryLimit()) return (OutcomeKind.OutOfMemory, null, $"failed at {LimitText()}: {message}");
        return (OutcomeKind.Trapped, null, message);
    }

    private bool AtMemoryLimit()
    {
        try
        {
            var memory = _instance?.GetMemory("memory");
            return memory is not null && memory.GetLength() + Wasmtime.Memory.PageSize > EffectiveLimit;
        }
        catch (WasmtimeException)
        {
            return false;
        }
    }

    private long EffectiveLimit => _memory?.GrantedBytes ?? Limits.MaxMemoryBytes;

    /// <summary>The limit a memory failure hit: the container's own, or what the device budget had left for it.</summary>
    private string LimitText() => _memory is { CappedByDevice: true } m
        ? $"the device memory budget ({_environment.DeviceBudgetBytes} bytes for all containers left it {m.GrantedBytes} of its {m.RequestedBytes}-byte limit)"
        : $"its memory limit of {Limits.MaxMemoryBytes} bytes";

    /// <summary>Wasmtime messages start with a backtrace header; the cause ("wasm trap: ...") is the useful part.</summary>
    private static string Summarize(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var cause = lines.LastOrDefault(l => l.Contains("wasm trap:", StringComparison.Ordinal) || l.StartsWith("Caused by", StringComparison.Ordinal));
        var first = lines.Length > 0 ? lines[0] : message;
        var text = cause is null ? first : $"{cause} ({first})";
        return text.Length <= 400 ? text : text[..400];
    }
}
