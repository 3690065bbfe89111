using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Formats.DeviceProtocol.Ddi;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Health;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.DeviceAgent.Ddi;

/// <summary>
/// <c>atym device run --ddi URL --tenant T --token K</c>: the update source that speaks hawkBit's DDI API, to our OTA
/// server or to a hawkBit server. A background loop, never the runner's thread: poll the base, sleep as
/// <c>config.polling.sleep</c> says; on <c>deploymentBase</c>, take the action's offline export artifact (a
/// <c>.tar</c>, docs/update-metadata.md §9), report <c>proceeding</c> and <c>download</c>, download it with Range resume
/// into <c>downloads/ddi-ID.partial</c> (its announced size and sha256 checked — integrity of the transfer, nothing
/// more), commit it as <c>downloads/ddi-ID.tar</c>, report <c>downloaded</c>, and list it in <see cref="Ready"/> as an
/// <see cref="StagedUpdateKind.OfflineExport"/> once the deployment's <c>update</c> is not <c>skip</c>. The runner
/// installs it exactly as <c>install --metadata</c> (full Uptane verification against the device's own roots: the DDI
/// server, like any network, is trusted for nothing). A refusal is queued at once as <c>closed</c>/<c>failure</c> with its
/// reason code; an install is reported <c>proceeding</c> and closed only once its health trial is decided, because
/// hawkBit reads <c>closed</c>/<c>success</c> as "the device runs it": a confirmed trial is <c>success</c>, a reverted one
/// <c>failure</c> with the trial's reason (for an export of several containers, the trial of the install the summary
/// names; the verdict being awaited is not persisted, so after a restart mid-trial the re-offered action goes through the
/// installer again, which reports what the slots then hold). A download whose bytes are not what the action announced (size, sha256:
/// <see cref="DdiArtifactRefusedException"/>) is deleted and closed as <c>failure</c> too, as SWUpdate does; a broken
/// connection is resumed instead. A <c>cancelAction</c> for the action being
/// downloaded stops it and answers <c>closed</c>/<c>success</c> on the cancel feedback; one for an action already
/// handed to the installer answers <c>rejected</c>. Closed action ids are remembered in <c>ddi-actions</c> (atomically),
/// so after a restart a re-offered action gets its result again instead of a second install. Errors are logged and
/// retried after a growing delay; the containers never notice.
/// </summary>
public sealed class DdiUpdateSource : IUpdateSource, IDisposable
{
    public const string LogSource = "ddi";
    private const int RememberedActions = 64;

    private readonly LocalDevice _device;
    private readonly DdiClient _client;
    private readonly DdiAgentOptions _options;
    private readonly ILogSink _log;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Queue<(string ActionId, DdiActionFeedback Feedback, bool Closes)> _results = new();
    private readonly string _closedFile;
    private readonly List<string> _closed;
    private Task? _loop;
    private Current? _current;
    private AwaitingVerdict? _verdict;
    private long _pollDue;
    private readonly long _started;

    /// <summary>The action being worked on: its id, its staged file once downloaded, whether install is allowed, whether the runner has it.</summary>
    private sealed record Current(string ActionId, StagedUpdate? Staged, bool InstallAllowed, bool Handed);

    /// <summary>An installed action whose health trial runs: closed once the device status shows its verdict.</summary>
    private sealed record AwaitingVerdict(string ActionId, string Container, string Version, DateTimeOffset Since, string Detail);

    public DdiUpdateSource(LocalDevice device, DdiClient client, DdiAgentOptions options, ILogSink log)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _log = log ?? throw new ArgumentNullException(nameof(log));
        if (!device.IsProduction)
            throw new DeviceDataException("a device without roots cannot verify an offline export; provision it with --director-root and --image-root");
        _started = device.Clock.GetTimestamp();
        _closedFile = Path.Combine(device.Directory.Root, "ddi-actions");
        _closed = File.Exists(_closedFile) ? [.. File.ReadAllLines(_closedFile).Where(l => l.Length is > 0 and <= 19 && l.All(char.IsAsciiDigit))] : [];
    }

    /// <summary>Polls so far (tests and status).</summary>
    public int Polls { get; private set; }

    /// <summary>The interval the last base answer set.</summary>
    public TimeSpan LastSleep { get; private set; }

    public void Start()
    {
        if (_loop is not null) throw new InvalidOperationException("already started");
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    public IReadOnlyList<StagedUpdate> Ready()
    {
        lock (_gate)
        {
            if (_current is not { Staged: { } staged, InstallAllowed: true, Handed: false }) return [];
            _current = _current with { Handed = true };
            return [staged];
        }
    }

    public void Finished(StagedUpdate update, InstallStatus result)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(result);
        lock (_gate)
        {
            if (_current is not { } current || current.Staged != update) return;
            var ok = result.Result == InstallResult.Installed;
            var detail = $"{StatusNames.Of(result.Result)} {result.Container} {result.Version}: {result.Detail}";
            if (ok && result is { Container: { } container, Version: { } version, Slot: not null })
            {
                // Written to the inactive slot: the trial decides (the loop watches the status for its verdict).
                _verdict = new AwaitingVerdict(current.ActionId, container, version, result.At, detail);
                _results.Enqueue((current.ActionId, Feedback(DdiExecution.Proceeding, DdiFinished.None, $"{detail}; health trial running"), false));
            }
            else _results.Enqueue((current.ActionId, Feedback(DdiExecution.Closed, ok ? DdiFinished.Success : DdiFinished.Failure, detail), true));
            _current = null;
        }
        File.Delete(update.BundleFile);
        _wake.Release();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                CollectVerdict();
                var sent = await SendResultsAsync(ct).ConfigureAwait(false);
                var now = Environment.TickCount64;
                if (sent > 0 || now >= _pollDue)
                {
                    wait = await CycleAsync(ct).ConfigureAwait(false);
                    _pollDue = Environment.TickCount64 + (long)wait.TotalMilliseconds;
                }
                else wait = TimeSpan.FromMilliseconds(_pollDue - now);
                failures = 0;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DdiServerException or DdiMessageException or HttpRequestException or IOException or OperationCanceledException)
            {
                failures++;
                wait = TimeSpan.FromTicks(Math.Min(_options.MaxPoll.Ticks, _options.RetryDelay.Ticks << Math.Min(failures - 1, 16)));
                Log(LogLevel.Warn, $"{e.Message} (retry in {wait.TotalSeconds:0.#} s)");
                _pollDue = Environment.TickCount64 + (long)wait.TotalMilliseconds;
            }
            lock (_gate)
                if (_verdict is not null && wait > _options.MinPoll) wait = _options.MinPoll; // a trial runs: look at its verdict often
            try
            {
                await _wake.WaitAsync(wait, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Queues <c>closed</c> for the installed action once the device status holds its trial's verdict — and, for a pass,
    /// the container published confirmed at that version, so a server that reads success finds the device's own status
    /// saying so (the rule <see cref="Updates.InstallAwaiter"/> applies).
    /// </summary>
    private void CollectVerdict()
    {
        lock (_gate)
        {
            if (_verdict is not { } w) return;
            var status = _device.Status.Current;
            var trial = status.Trials.LastOrDefault(t => t.Container == w.Container && t.Version == w.Version && t.At >= w.Since);
            if (trial is null || trial.Verdict == TrialVerdict.Pending) return;
            var passed = trial.Verdict == TrialVerdict.Passed;
            if (passed && !status.HoldsConfirmed(w.Container, w.Version)) return;
            _results.Enqueue((w.ActionId, Feedback(DdiExecution.Closed, passed ? DdiFinished.Success : DdiFinished.Failure,
                passed ? $"confirmed {w.Container} {w.Version} after its health trial ({w.Detail})" : $"trial-failed: {w.Container} {w.Version} reverted: {trial.Reason}"), true));
            _verdict = null;
        }
    }

    /// <summary>One poll and what it asks for; returns how long to sleep.</summary>
    private async Task<TimeSpan> CycleAsync(CancellationToken ct)
    {
        var base_ = await _client.PollAsync(ct).ConfigureAwait(false);
        Polls++;
        LastSleep = _options.PollFor(base_.Config.Polling.ToTimeSpan());
        if (base_.Links?.CancelAction is { } cancelLink) await CancelAsync(cancelLink, ct).ConfigureAwait(false);
        else if (base_.Links?.DeploymentBase is { } deploymentLink) await DeployAsync(deploymentLink, ct).ConfigureAwait(false);
        return LastSleep;
    }

    private async Task CancelAsync(DdiLink link, CancellationToken ct)
    {
        var cancel = await _client.CancelAsync(link, ct).ConfigureAwait(false);
        var stop = cancel.CancelAction.StopId;
        bool rejected;
        StagedUpdate? drop = null;
        lock (_gate)
        {
            rejected = (_current is { Handed: true } c && c.ActionId == stop) || _verdict?.ActionId == stop;
            if (!rejected && _current?.ActionId == stop)
            {
                drop = _current.Staged;
                _current = null;
            }
        }
        if (drop is not null) File.Delete(drop.BundleFile);
        File.Delete(Partial(stop));
        if (!rejected) Remember(stop);
        Log(LogLevel.Info, rejected ? $"cancel of action {stop} rejected: it is being installed" : $"action {stop} canceled");
        await _client.FeedbackAsync(cancel.Id, rejected
            ? Feedback(DdiExecution.Rejected, DdiFinished.None, "the update is being installed")
            : Feedback(DdiExecution.Closed, DdiFinished.Success, "canceled"), cancel: true, ct).ConfigureAwait(false);
    }

    private async Task DeployAsync(DdiLink link, CancellationToken ct)
    {
        var deployment = await _client.DeploymentAsync(link, ct).ConfigureAwait(false);
        var id = deployment.Id;
        lock (_gate)
        {
            if (_current is { } c && c.ActionId == id)
            {
                // Already downloaded: the server may now allow the install (a maintenance window opened).
                _current = c with { InstallAllowed = c.InstallAllowed || deployment.Deployment.Update != DdiHandlingType.Skip };
                if (c.Staged is not null) return;
            }
            else if (_current is { Handed: true } || _verdict is not null) return; // one action at a time: the installer or its trial has one
        }
        if (_closed.Contains(id))
        {
            // Closed here before (the server missed the result, or we restarted): say so again, never install twice.
            await _client.FeedbackAsync(id, Feedback(DdiExecution.Closed, DdiFinished.Success, "already installed by this device"), cancel: false, ct).ConfigureAwait(false);
            return;
        }
        var artifact = deployment.Deployment.Chunks.SelectMany(c => c.Artifacts ?? []).FirstOrDefault(a => a.Filename.EndsWith(DeviceInbox.ExportExtension, StringComparison.Ordinal));
        if (artifact is null || artifact.Size > DeviceInbox.MaxExportBytes)
        {
            var why = artifact is null ? "the action has no offline export artifact (.tar): an atym agent installs only verified exports" : $"artifact {artifact.Filename} is {artifact.Size} bytes, above {DeviceInbox.MaxExportBytes}";
            Log(LogLevel.Error, $"action {id}: {why}");
            await CloseAsync(id, Feedback(DdiExecution.Closed, DdiFinished.Failure, why), ct).ConfigureAwait(false);
            return;
        }
        if (deployment.Deployment.Download == DdiHandlingType.Skip) return;
        lock (_gate) _current ??= new Current(id, null, deployment.Deployment.Update != DdiHandlingType.Skip, false);
        await _client.FeedbackAsync(id, Feedback(DdiExecution.Proceeding, DdiFinished.None, $"downloading {artifact.Filename}"), cancel: false, ct).ConfigureAwait(false);
        await _client.FeedbackAsync(id, Feedback(DdiExecution.Download, DdiFinished.None, $"{artifact.Filename}, {artifact.Size} bytes"), cancel: false, ct).ConfigureAwait(false);
        var partial = Partial(id);
        Directory.CreateDirectory(Path.GetDirectoryName(partial)!);
        try
        {
            await _client.DownloadAsync(artifact, partial, ct).ConfigureAwait(false);
        }
        catch (DdiArtifactRefusedException e)
        {
            File.Delete(partial);
            lock (_gate) if (_current?.ActionId == id) _current = null;
            Log(LogLevel.Error, $"action {id}: {e.Message}");
            await CloseAsync(id, Feedback(DdiExecution.Closed, DdiFinished.Failure, $"{DdiArtifactRefusedException.Code}: {e.Message}"), ct).ConfigureAwait(false);
            return;
        }
        var final = Path.Combine(Path.GetDirectoryName(partial)!, $"ddi-{id}{DeviceInbox.ExportExtension}");
        AtomicFile.MoveIntoPlace(partial, final, AtomicWriteMode.Overwrite);
        await _client.FeedbackAsync(id, Feedback(DdiExecution.Downloaded, DdiFinished.None, "downloaded; verifying on the device"), cancel: false, ct).ConfigureAwait(false);
        Log(LogLevel.Info, $"action {id}: downloaded {artifact.Filename}");
        lock (_gate)
        {
            if (_current?.ActionId == id) _current = _current with { Staged = new StagedUpdate($"ddi action {id} ({artifact.Filename})", final, null, StagedUpdateKind.OfflineExport) };
            else File.Delete(final); // canceled meanwhile
        }
    }

    /// <summary>Sends the queued feedback in order (a failed send keeps it for the next round); how many were sent.</summary>
    private async Task<int> SendResultsAsync(CancellationToken ct)
    {
        var sent = 0;
        while (true)
        {
            (string ActionId, DdiActionFeedback Feedback, bool Closes) next;
            lock (_gate)
            {
                if (_results.Count == 0) return sent;
                next = _results.Peek();
            }
            try
            {
                if (next.Closes) await CloseAsync(next.ActionId, next.Feedback, ct).ConfigureAwait(false);
                else await _client.FeedbackAsync(next.ActionId, next.Feedback, cancel: false, ct).ConfigureAwait(false);
            }
            catch (DdiServerException e) when (e.Status == System.Net.HttpStatusCode.Gone)
            {
                Log(LogLevel.Warn, $"action {next.ActionId} is closed on the server; feedback dropped");
            }
            lock (_gate) _results.Dequeue();
            sent++;
        }
    }

    private async Task CloseAsync(string id, DdiActionFeedback feedback, CancellationToken ct)
    {
        Remember(id);
        await _client.FeedbackAsync(id, feedback, cancel: false, ct).ConfigureAwait(false);
        Log(LogLevel.Info, $"action {id}: closed {feedback.Status.Result.Finished.ToString().ToLowerInvariant()}");
    }

    private void Remember(string id)
    {
        if (_closed.Contains(id)) return;
        _closed.Add(id);
        if (_closed.Count > RememberedActions) _closed.RemoveAt(0);
        AtomicFile.Write(_closedFile, System.Text.Encoding.ASCII.GetBytes(string.Join('\n', _closed) + "\n"));
    }

    private void Log(LogLevel level, string message) =>
        _log.Write(new LogRecord(_device.Clock.GetElapsedTime(_started), "device", level, LogSource, message));

    private string Partial(string id) => Path.Combine(_device.Directory.Root, "downloads", $"ddi-{id}.partial");

    private DdiActionFeedback Feedback(DdiExecution execution, DdiFinished finished, string detail) =>
        new(new DdiStatus(execution, new DdiResult(finished), null, new EquatableList<string>([detail.Length > DdiActionFeedback.MaxDetailLength ? detail[..DdiActionFeedback.MaxDetailLength] : detail])),
            _device.Clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", System.Globalization.CultureInfo.InvariantCulture));

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The loop ended with the cancellation.
        }
        _stop.Dispose();
        _wake.Dispose();
    }
}
