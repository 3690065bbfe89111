using AtymSecure.DeviceAgent.Http;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Tracing;
using AtymSecure.DeviceAgent.Trials;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Engines;
using AtymSecure.Primitives;
using AtymSecure.Runtime.DeviceApi;
using AtymSecure.Runtime.Drivers;
using AtymSecure.Runtime.Logging;
using AtymSecure.Runtime.Budgets;
using AtymSecure.Runtime.Messaging;

namespace AtymSecure.DeviceAgent;

/// <summary>
/// <c>atym device run</c>: one power-on of a device. Boot selection for every container, then the confirmed
/// versions run and each trial version runs under its health trial (<see cref="TrialCoordinator"/>). Updates the
/// <see cref="IUpdateSource"/> has ready are installed while the others keep running, and their container
/// restarts into the new trial; the status file follows every change (<see cref="DeviceStatusPublisher"/>).
/// A kill at any point is a power cut: the next run recovers from the flash (an interrupted trial uses up one
/// attempt; out of attempts it reverts). All timing is on the device's clock (<see cref="LocalDevice.Clock"/>).
/// </summary>
public sealed class DeviceRunner
{
    private readonly LocalDevice _device;
    private readonly IUpdateSource _updates;
    private readonly DeviceRunOptions _options;
    private readonly ILogSink _log;
    private long _lastActivity;

    public DeviceRunner(LocalDevice device, IUpdateSource updates, DeviceRunOptions options, ILogSink log)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _updates = updates ?? throw new ArgumentNullException(nameof(updates));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _log = log ?? throw new ArgumentNullException(nameof(log));
    }

    /// <summary>
    /// Powers on the device at <paramref name="root"/> (holding it for the run), takes its updates from its inbox,
    /// logs to <paramref name="console"/> and appends the same lines to its rotated device.log; returns the final status.
    /// </summary>
    /// <exception cref="DeviceBusyException">Another process runs the device.</exception>
    /// <exception cref="DeviceDataException">Not a device, or a damaged device file.</exception>
    public static DeviceStatus PowerOn(string root, LocalDeviceOptions? device, DeviceRunOptions options, ILogSink console, CancellationToken cancel)
    {
        using var opened = LocalDevice.Open(root, device);
        // Size-capped and rotated: a container that floods its log costs at most LogFiles × LogFileBytes of storage.
        using var file = new RotatingFileLogSink(opened.Directory.LogFile, opened.Profile.LogFiles, opened.Profile.LogFileBytes);
        var log = new TeeLogSink(console, file);
        return new DeviceRunner(opened, new DeviceInbox(opened.Directory, opened.Clock), options, log).Run(cancel);
    }

    /// <summary>
    /// <c>atym device run --server URL</c>: as <see cref="PowerOn"/>, with updates from the OTA server (<see cref="HttpUpdateSource"/>:
    /// enrol, poll, verify, download, report) instead of the inbox. The device must be a production device (both roots).
    /// </summary>
    public static DeviceStatus PowerOn(string root, LocalDeviceOptions? device, DeviceRunOptions options, Uri server, HttpUpdateOptions? updates,
        ILogSink console, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(server);
        using var opened = LocalDevice.Open(root, device);
        using var file = new RotatingFileLogSink(opened.Directory.LogFile, opened.Profile.LogFiles, opened.Profile.LogFileBytes);
        var log = new TeeLogSink(console, file);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        return RunOverHttp(opened, http, server, updates, options, log, cancel);
    }

    /// <summary>
    /// One power-on of an opened device with updates from the OTA server through <paramref name="http"/>: its identity key
    /// signs for an <see cref="OtaClient"/>, an <see cref="HttpUpdateSource"/> runs beside the runner until it returns.
    /// <c>atym device run --server</c> and each device of a fleet simulation (its own client over a simulated link) run this.
    /// </summary>
    public static DeviceStatus RunOverHttp(LocalDevice device, HttpClient http, Uri server, HttpUpdateOptions? updates, DeviceRunOptions options,
        ILogSink log, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(server);
        using var identity = System.Security.Cryptography.ECDsa.Create();
        identity.ImportFromPem(File.ReadAllText(device.Directory.IdentityKeyFile));
        var client = new OtaClient(http, server, device.Identity.DeviceId, identity, device.Clock);
        using var source = new HttpUpdateSource(device, client, http, updates, log);
        source.Start();
        return new DeviceRunner(device, source, options, log).Run(cancel);
    }

    /// <summary>
    /// <c>atym device run --ddi URL --tenant T --token K</c>: as <see cref="PowerOn"/>, with updates from a hawkBit DDI
    /// server (<see cref="Ddi.DdiUpdateSource"/>: poll, download the action's offline export, verify it on the device as
    /// <c>install --metadata</c>, feedback). The controller id is the device id unless the options name another.
    /// </summary>
    public static DeviceStatus PowerOnDdi(string root, LocalDeviceOptions? device, DeviceRunOptions options, Ddi.DdiAgentOptions ddi,
        ILogSink console, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(ddi);
        using var opened = LocalDevice.Open(root, device);
        using var file = new RotatingFileLogSink(opened.Directory.LogFile, opened.Profile.LogFiles, opened.Profile.LogFileBytes);
        var log = new TeeLogSink(console, file);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(100) };
        var settings = ddi with { ControllerId = ddi.ControllerId ?? opened.Identity.DeviceId };
        using var source = new Ddi.DdiUpdateSource(opened, new Ddi.DdiClient(http, settings), settings, log);
        source.Start();
        return new DeviceRunner(opened, source, options, log).Run(cancel);
    }

    /// <summary>Runs until cancelled, or as <see cref="DeviceRunOptions"/> says; returns the final status.</summary>
    public DeviceStatus Run(CancellationToken cancel)
    {
        var clock = _device.Clock;
        using var kv = new FileKeyValueStoreProvider(_device.Directory.KeyValueDirectory);
        var services = new DeviceServices(clock, _log, _options.Sensors?.Invoke(clock) ?? SimulatedSensorBank.Demo(clock), new SimulatedGpioBank(), new MessageBus(), kv)
        {
            Memory = new DeviceMemoryAccountant(_device.Profile.ContainerMemoryBudgetBytes),
        };
        var log = new DeviceLogWriter(services);
        using var trace = _options.TraceTopics is { } filter ? new BusTrace(services, filter, log) : null;
        using var trialCancel = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var host = new DeviceHost(EngineProfile.For(_device.Profile.DeviceClass), services, new BootloaderTrialDecision(_device), _options.Runtime);
        var trials = new TrialCoordinator(_device, host, log, Touch);
        Touch();
        _device.Status.PoweredOn(Environment.ProcessId);
        if (_device.Status.LoadProblem is { } problem) log.Write(DeviceLogWriter.Source, LogLevel.Warn, $"status.json was unreadable and starts empty: {problem}");
        var started = clock.GetTimestamp();
        try
        {
            log.Write(DeviceLogWriter.Source, LogLevel.Info,
                $"power-on: {_device.Identity.DeviceId} ({_device.Identity.DeviceClass}), containers: {string.Join(", ", _device.ContainerNames)}");
            foreach (var result in _device.Boot().Containers) trials.Start(result, trialCancel.Token);
            while (!cancel.IsCancellationRequested)
            {
                InstallReadyUpdates(trials, log, trialCancel.Token);
                PublishContainers(trials);
                trace?.Drain();
                if (_options.Duration is { } d && clock.GetElapsedTime(started) >= d) break;
                if (_options.UntilSettled && Settled(trials)) break;
                Pause(cancel);
            }
        }
        finally
        {
            trialCancel.Cancel();
            trials.WaitForTrials(TimeSpan.FromSeconds(15));
            host.Runtime.StopAll(TimeSpan.FromSeconds(10));
            PublishContainers(trials);
            _device.Status.PoweredOff();
            log.Write(DeviceLogWriter.Source, LogLevel.Info, "stopped");
        }
        return _device.Status.Current;
    }

    /// <summary>Installs what the source has ready; an update for a container whose trial still runs waits for its verdict.</summary>
    private void InstallReadyUpdates(TrialCoordinator trials, DeviceLogWriter log, CancellationToken cancel)
    {
        foreach (var update in _updates.Ready())
        {
            if (update.Kind == StagedUpdateKind.OfflineExport)
            {
                // An export may name any container: it waits until no trial runs, then installs whole or not at all per bundle.
                if (!trials.AllTrialsDecided) continue;
                InstallExport(update, trials, log, cancel);
                continue;
            }
            if (BundleFileInstaller.ContainerOf(update.BundleFile) is { } target && trials.IsTrialRunning(target)) continue;
            InstallStatus install;
            using (_device.Status.BeginTake())
                install = BundleFileInstaller.Install(_device, update.BundleFile, update.Name, update.Metadata, _options.Runtime);
            Log(log, install);
            Finish(update, install, log);
            if (install.Result == InstallResult.Installed && install.Container is { } name) trials.Start(_device.Boot(name), cancel);
        }
    }

    /// <summary>
    /// An offline export from the source (<see cref="StagedExportInstaller"/>: verified exactly as <c>install --metadata</c>);
    /// each container it installed starts its trial.
    /// </summary>
    private void InstallExport(StagedUpdate update, TrialCoordinator trials, DeviceLogWriter log, CancellationToken cancel)
    {
        OfflineInstallOutcome outcome;
        using (_device.Status.BeginTake())
            outcome = StagedExportInstaller.Install(_device, update, _options.Runtime);
        if (outcome.UpToDate) log.Write(DeviceLogWriter.Source, LogLevel.Info, $"offline export {update.Name}: up to date");
        foreach (var install in outcome.Installs) Log(log, install);
        Finish(update, StagedExportInstaller.Summary(outcome, update.Name, _device.Clock), log);
        foreach (var install in outcome.Installs)
            if (install.Result == InstallResult.Installed && install.Container is { } name) trials.Start(_device.Boot(name), cancel);
    }

    private static void Log(DeviceLogWriter log, InstallStatus install) =>
        log.Write(install.Container ?? DeviceLogWriter.Source, install.Result == InstallResult.Installed ? LogLevel.Info : LogLevel.Error,
            $"install {install.Bundle}: {StatusNames.Of(install.Result)} {install.Version} — {install.Detail}");

    /// <summary>Hands the update back to its source (the inbox deletes the file, a network source reports the result).</summary>
    private void Finish(StagedUpdate update, InstallStatus install, DeviceLogWriter log)
    {
        try
        {
            _updates.Finished(update, install);
        }
        catch (IOException e)
        {
            log.Write(DeviceLogWriter.Source, LogLevel.Warn, $"could not remove {update.BundleFile}: {e.Message}");
        }
        Touch();
    }

    /// <summary>The slots as the bootloader holds them, joined with what the runtime runs.</summary>
    private void PublishContainers(TrialCoordinator trials) => _device.Status.PublishContainers(_device.SlotStatus(trials.RuntimeStatusOf));

    private bool Settled(TrialCoordinator trials) =>
        trials.AllTrialsDecided
        && _updates.Ready().Count == 0
        && _device.Clock.GetElapsedTime(Interlocked.Read(ref _lastActivity)) >= _options.SettleQuiet;

    private void Pause(CancellationToken cancel)
    {
        try
        {
            _device.Clock.Sleep(_options.PollInterval, cancel);
        }
        catch (OperationCanceledException)
        {
            // Stopping: the loop sees the cancellation.
        }
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivity, _device.Clock.GetTimestamp());
}
