using System.Collections.Concurrent;
using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Layout;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Health;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.DeviceAgent.Trials;

/// <summary>
/// Boot and trial coordination for one power-on. For each container's boot result it runs the confirmed version,
/// or runs the trial version under its health trial on a thread of its own — confirm, or reject and start the
/// previous version again — and records every verdict in the status. After an install into the running device,
/// <see cref="Start"/> with that container's new boot result starts its trial while the others keep running.
/// It knows which trials are undecided and why a slot did not load or start (both shown in the status).
/// </summary>
internal sealed class TrialCoordinator
{
    private readonly LocalDevice _device;
    private readonly DeviceHost _host;
    private readonly DeviceLogWriter _log;
    private readonly Action _activity;
    private readonly ConcurrentDictionary<string, Task> _trials = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _loadErrors = new(StringComparer.Ordinal);

    /// <param name="activity">Called on every boot, start and verdict (the runner settles once nothing happens).</param>
    public TrialCoordinator(LocalDevice device, DeviceHost host, DeviceLogWriter log, Action activity)
    {
        _device = device;
        _host = host;
        _log = log;
        _activity = activity;
    }

    public bool AllTrialsDecided => _trials.Values.All(t => t.IsCompleted);

    public bool IsTrialRunning(string container) => _trials.TryGetValue(container, out var trial) && !trial.IsCompleted;

    /// <summary>Waits (bounded) for the trial threads to end after their cancellation.</summary>
    public void WaitForTrials(TimeSpan bound) => Task.WaitAll([.. _trials.Values], bound);

    /// <summary>What the runtime runs of <paramref name="container"/>, or why nothing runs; null when nothing was tried.</summary>
    public RuntimeContainerStatus? RuntimeStatusOf(string container) =>
        _host.Runtime.Find(container) is { } running ? RuntimeContainerStatus.Of(running)
        : _loadErrors.TryGetValue(container, out var error) ? RuntimeContainerStatus.LoadError(error)
        : null;

    public void Start(ContainerBootResult boot, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(boot);
        var name = boot.Container;
        _activity();
        switch (boot.Outcome)
        {
            case BootOutcome.NotInstalled:
                _log.Write(name, LogLevel.Info, "boot: nothing installed");
                return;
            case BootOutcome.Failed:
                _log.Write(name, LogLevel.Error, "boot: no slot holds a bootable image; the container does not run");
                return;
            case BootOutcome.Recovery:
                _log.Write(name, LogLevel.Error, "boot: the device is in RECOVERY (no state record verifies); nothing runs until an operator re-provisions it");
                return;
            case BootOutcome.Trial:
                StartTrial(boot, cancel);
                return;
            default:
                _log.Write(name, boot.Outcome == BootOutcome.Confirmed ? LogLevel.Info : LogLevel.Warn,
                    $"boot: {StatusNames.Of(boot.Outcome)}, running {boot.RunningImage?.Version} from slot {StatusNames.Of(boot.RunningSlot)}");
                if (TryLoad(name, boot.RunningSlot) is { } spec) TryRun(spec);
                return;
        }
    }

    private void StartTrial(ContainerBootResult boot, CancellationToken cancel)
    {
        var name = boot.Container;
        var version = boot.RunningImage?.Version?.ToString() ?? "?";
        var confirmed = _device.ConfirmedSlot(name);
        var previous = confirmed == SlotId.None ? null : TryLoad(name, confirmed);
        _log.Write(name, LogLevel.Info, $"boot: trial of {version} from slot {StatusNames.Of(boot.RunningSlot)} ({StatusNames.Of(boot.State)}, " +
            $"previous {(previous is null ? "none" : previous.Version)})");
        ContainerSpec trial;
        try
        {
            trial = LoadSlot(name, boot.RunningSlot);
        }
        catch (ArtifactVerificationException e)
        {
            // An image that does not even verify fails its trial at once.
            _host.Decisions.Reject(name, e.Message);
            Record(new TrialResult(name, version, TrialVerdict.Failed, $"does not load: {e.Message}", previous?.Version));
            if (previous is not null) TryRun(previous);
            return;
        }
        // A trial blocks for seconds (probe intervals, waits for probes): its own thread, not one of the pool's, which
        // a fleet of devices on trial at once would use up.
        _trials[name] = Task.Factory.StartNew(() =>
        {
            try
            {
                var result = _host.RunTrial(trial, previous, cancel);
                if (result.Verdict == TrialVerdict.Pending)
                    _log.Write(name, LogLevel.Warn, $"trial of {version} interrupted before a verdict; the next power-on retries it while attempts last");
                else
                    Record(result);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _log.Write(name, LogLevel.Error, $"trial of {version} could not run: {e.Message}");
            }
            finally
            {
                _activity();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Record(TrialResult result)
    {
        _device.Status.RecordTrial(result);
        var passed = result.Verdict == TrialVerdict.Passed;
        _log.Write(result.Container, passed ? LogLevel.Info : LogLevel.Error,
            $"trial of {result.TrialVersion} {StatusNames.Of(result.Verdict)}: {(passed ? "confirmed" : "reverted")}; running {result.RunningVersion ?? "nothing"} ({result.Reason})");
        _activity();
    }

    private ContainerSpec LoadSlot(string name, SlotId slot)
    {
        lock (_device.Gate) return SlotImageLoader.Load(_device.Bootloader, name, slot);
    }

    private ContainerSpec? TryLoad(string name, SlotId slot)
    {
        try
        {
            return LoadSlot(name, slot);
        }
        catch (ArtifactVerificationException e)
        {
            _loadErrors[name] = e.Message;
            _log.Write(name, LogLevel.Error, $"slot {StatusNames.Of(slot)} does not load: {e.Message}");
            return null;
        }
    }

    private void TryRun(ContainerSpec spec)
    {
        try
        {
            _host.Runtime.Remove(spec.Name, TimeSpan.FromSeconds(10));
            _host.Run(spec);
            _loadErrors.TryRemove(spec.Name, out _);
        }
        catch (Exception e) when (e is ArtifactIncompatibleException or Wasmtime.WasmtimeException or InvalidOperationException)
        {
            _loadErrors[spec.Name] = e.Message;
            _log.Write(spec.Name, LogLevel.Error, $"{spec.Version} does not start: {e.Message}");
        }
    }
}
