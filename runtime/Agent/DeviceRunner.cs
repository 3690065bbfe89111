using System.Collections.Concurrent;
using System.Diagnostics;
using AtymSecure.Bootloader.Boot;
using AtymSecure.Bootloader.Layout;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Drivers;
using AtymSecure.Engines;
using AtymSecure.Runtime.Execution;
using AtymSecure.Runtime.Health;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Messaging;

namespace AtymSecure.DeviceAgent;

/// <summary>
/// <c>atym device run</c>: one power-on of a device. Boot selection for every container, then the
/// confirmed versions run and each trial version runs under its health trial (confirm, or reject and
/// the old version again). Bundles queued in the inbox are installed while the others keep running, and
/// their container restarts into the new trial. A kill at any point is a power cut: the next run
/// recovers from the flash (an interrupted trial uses up one attempt; out of attempts it reverts).
/// </summary>
public sealed class DeviceRunner
{
    private const string Source = "device";
    private readonly LocalDevice _device;
    private readonly DeviceRunOptions _options;
    private readonly ILogSink _log;
    private readonly TimeProvider _clock = TimeProvider.System;
    private readonly long _poweredOn = TimeProvider.System.GetTimestamp();
    private readonly ConcurrentDictionary<string, Task> _trials = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _loadErrors = new(StringComparer.Ordinal);
    private long _lastEventTicks = Stopwatch.GetTimestamp();
    private string _published = "";
    private long _traceDropped;

    public DeviceRunner(LocalDevice device, DeviceRunOptions options, ILogSink log)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    /// <summary>Runs until cancelled, or as <see cref="DeviceRunOptions"/> says; returns the final status.</summary>
    public DeviceStatus Run(CancellationToken cancel)
    {
        using var kv = new FileKeyValueStoreProvider(_device.Directory.KeyValueDirectory);
        var bus = new MessageBus();
        var services = new DeviceServices(_clock, _log, SimulatedSensorBank.Demo(_clock), new SimulatedGpioBank(), bus, kv);
        using var tap = _options.TraceTopics is { } filter ? bus.Subscribe("device-trace", filter, capacity: 1024) : null;
        using var trialCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var host = new DeviceHost(EngineProfile.For(_device.Profile.DeviceClass), services, new GatedTrialDecision(_device), _options.Runtime);
        _device.UpdateStatus(s => s with { Running = new RunningStatus(Environment.ProcessId, DateTimeOffset.UtcNow) });
        if (_device.StatusProblem is { } problem) Write(Source, LogLevel.Warn, $"status.json was unreadable and starts empty: {problem}");
        var started = Stopwatch.StartNew();
        try
        {
            Write(Source, LogLevel.Info, $"power-on: {_device.Identity.DeviceId} ({_device.Identity.DeviceClass}), containers: {string.Join(", ", _device.ContainerNames)}");
            foreach (var result in _device.Boot().Containers) Start(host, result, trialCancel.Token);
            while (!cancel.IsCancellationRequested)
            {
                ProcessInbox(host, trialCancel.Token);
                Publish(host);
                Trace(tap);
                if (_options.Duration is { } d && started.Elapsed >= d) break;
                if (_options.UntilSettled && Settled()) break;
                cancel.WaitHandle.WaitOne(_options.PollInterval);
            }
        }
        finally
        {
            trialCancel.Cancel();
            Task.WaitAll([.. _trials.Values], TimeSpan.FromSeconds(15));
            host.Runtime.StopAll(TimeSpan.FromSeconds(10));
            Publish(host);
            _device.UpdateStatus(s => s with { Running = null });
            Write(Source, LogLevel.Info, "stopped");
        }
        return _device.Status;
    }

    private void Start(DeviceHost host, ContainerBootResult boot, CancellationToken cancel)
    {
        var name = boot.Container;
        var version = boot.RunningImage?.Version.ToString();
        Touch();
        switch (boot.Outcome)
        {
            case BootOutcome.NotInstalled:
                Write(name, LogLevel.Info, "boot: nothing installed");
                return;
            case BootOutcome.Failed:
                Write(name, LogLevel.Error, "boot: no slot holds a bootable image; the container does not run");
                return;
            case BootOutcome.Trial:
                StartTrial(host, boot, cancel);
                return;
            default:
                Write(name, boot.Outcome == BootOutcome.Confirmed ? LogLevel.Info : LogLevel.Warn,
                    $"boot: {LocalDevice.Lower(boot.Outcome)}, running {version} from slot {LocalDevice.Lower(boot.RunningSlot)}");
                if (TryLoad(name, boot.RunningSlot) is { } spec) TryRun(host, spec);
                return;
        }
    }

    private void StartTrial(DeviceHost host, ContainerBootResult boot, CancellationToken cancel)
    {
        var name = boot.Container;
        var version = boot.RunningImage?.Version.ToString() ?? "?";
        SlotId confirmed;
        lock (_device.Gate) confirmed = _device.Bootloader.State(name).ConfirmedSlot;
        var previous = confirmed == SlotId.None ? null : TryLoad(name, confirmed);
        Write(name, LogLevel.Info, $"boot: trial of {version} from slot {LocalDevice.Lower(boot.RunningSlot)} ({boot.State.ToString().ToLowerInvariant()}, " +
            $"previous {(previous is null ? "none" : previous.Version)})");
        ContainerSpec trial;
        try
        {
            trial = LoadSlot(name, boot.RunningSlot);
        }
        catch (ArtifactVerificationException e)
        {
            // An image that does not even verify fails its trial at once.
            host.Decisions.Reject(name, e.Message);
            RecordTrial(new TrialResult(name, version, TrialVerdict.Failed, $"does not load: {e.Message}", previous?.Version));
            if (previous is not null) TryRun(host, previous);
            return;
        }
        _trials[name] = Task.Run(() =>
        {
            try
            {
                var result = host.RunTrial(trial, previous, cancel);
                if (result.Verdict == TrialVerdict.Pending)
                    Write(name, LogLevel.Warn, $"trial of {version} interrupted before a verdict; the next power-on retries it while attempts last");
                else
                    RecordTrial(result);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Write(name, LogLevel.Error, $"trial of {version} could not run: {e.Message}");
            }
            finally
            {
                Touch();
            }
        }, CancellationToken.None);
    }

    private void RecordTrial(TrialResult result)
    {
        _device.UpdateStatus(s => s.WithTrial(new TrialStatus(DateTimeOffset.UtcNow, result.Container, result.TrialVersion,
            result.Verdict.ToString().ToLowerInvariant(), result.Reason, result.RunningVersion)));
        var outcome = result.Verdict == TrialVerdict.Passed ? "confirmed" : "reverted";
        Write(result.Container, result.Verdict == TrialVerdict.Passed ? LogLevel.Info : LogLevel.Error,
            $"trial of {result.TrialVersion} {result.Verdict.ToString().ToLowerInvariant()}: {outcome}; running {result.RunningVersion ?? "nothing"} ({result.Reason})");
        Touch();
    }

    private void ProcessInbox(DeviceHost host, CancellationToken cancel)
    {
        foreach (var file in DeviceInbox.Pending(_device.Directory))
        {
            if (PeekContainer(file) is { } target && _trials.TryGetValue(target, out var t) && !t.IsCompleted) continue;
            var install = BundleFileInstaller.Install(_device, file);
            Write(install.Container ?? Source, install.Result == "installed" ? LogLevel.Info : LogLevel.Error,
                $"install {install.Bundle}: {install.Result} {install.Version} — {install.Detail}");
            try { File.Delete(file); } catch (IOException e) { Write(Source, LogLevel.Warn, $"could not remove {file}: {e.Message}"); }
            Touch();
            if (install.Result == "installed" && install.Container is { } name) Start(host, _device.Boot(name), cancel);
        }
    }

    private static string? PeekContainer(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            return Formats.Bundle.BundleEnvelope.ReadAsync(stream).GetAwaiter().GetResult().Header.ContainerName;
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            return null;
        }
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
            Write(name, LogLevel.Error, $"slot {LocalDevice.Lower(slot)} does not load: {e.Message}");
            return null;
        }
    }

    private void TryRun(DeviceHost host, ContainerSpec spec)
    {
        try
        {
            host.Runtime.Remove(spec.Name, TimeSpan.FromSeconds(10));
            host.Run(spec);
            _loadErrors.TryRemove(spec.Name, out _);
        }
        catch (Exception e) when (e is ArtifactIncompatibleException or Wasmtime.WasmtimeException or InvalidOperationException)
        {
            _loadErrors[spec.Name] = e.Message;
            Write(spec.Name, LogLevel.Error, $"{spec.Version} does not start: {e.Message}");
        }
    }

    /// <summary>Refreshes status.json when the slots or the runtime's view changed.</summary>
    private void Publish(DeviceHost host)
    {
        var running = host.Runtime.Containers.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var containers = _device.SlotStatus(name => running.TryGetValue(name, out var c)
            ? new RuntimeContainerStatus(c.State.ToString().ToLowerInvariant(), c.Spec.Version, c.Spec.IsTrial, c.Restarts, c.CrashLoop, c.StatusMessage)
            : _loadErrors.TryGetValue(name, out var error) ? new RuntimeContainerStatus("error", "", false, 0, false, error) : null);
        var snapshot = System.Text.Json.JsonSerializer.Serialize(containers);
        if (snapshot == _published) return;
        _published = snapshot;
        _device.UpdateStatus(s => s with { Containers = containers });
    }

    /// <summary>Logs what the containers published (source "bus"), so their work is visible from outside.</summary>
    private void Trace(Subscription? tap)
    {
        if (tap is null) return;
        while (tap.TryReceive(out var m))
            _log.Write(new LogRecord(m.At, m.Publisher, LogLevel.Info, "bus", $"{m.Topic} {System.Text.Encoding.UTF8.GetString(m.Payload)}"));
        if (tap.Dropped > _traceDropped)
        {
            Write(Source, LogLevel.Warn, $"trace dropped {tap.Dropped - _traceDropped} messages");
            _traceDropped = tap.Dropped;
        }
    }

    private bool Settled() =>
        _trials.Values.All(t => t.IsCompleted)
        && DeviceInbox.Pending(_device.Directory).Count == 0
        && Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastEventTicks)) >= _options.SettleQuiet;

    private void Touch() => Interlocked.Exchange(ref _lastEventTicks, Stopwatch.GetTimestamp());

    private void Write(string container, LogLevel level, string message) =>
        _log.Write(new LogRecord(_clock.GetElapsedTime(_poweredOn), container, level, Source, message));
}
