using System.Security.Cryptography;
using AtymSecure.DeviceAgent.Status;
using AtymSecure.DeviceAgent.Trust;
using AtymSecure.DeviceAgent.Updates;
using AtymSecure.Formats;
using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Verification;
using AtymSecure.Primitives;
using AtymSecure.Runtime.Logging;

namespace AtymSecure.DeviceAgent.Http;

/// <summary>
/// <c>atym device run --server URL</c>: the update source that talks to the OTA server (runtime/Agent/README.md, the
/// seam). A background loop, never the runner's thread: enrol once, authenticate, then per tick poll (ETag → 304),
/// and when the server has a director file, run one update cycle — load the trust store (step 0), verify with the
/// pure <see cref="UpdateVerifier"/> over the director file and the image repository, persist the state it returns
/// (also on refusal), download each verified bundle with Range resume (step 11), and list it in <see cref="Ready"/>
/// with its <see cref="VerifiedInstall"/>, so the installer binds header to metadata (step 12) and takes the signer
/// keys from the verified delegation (step 13). Signed version reports with a fresh nonce (persisted as in flight
/// before sending) go out at start, after every cycle, install, trial verdict and refusal, and daily.
/// Server down, errors, garbage: the loop logs, backs off (capped exponential, jittered, Retry-After honoured) and
/// goes on; the containers never notice. A device whose trust store is damaged stays in recovery: it keeps polling
/// and reporting <c>recovery-state</c>, and installs nothing. A refused cycle runs again with the same director
/// document after <see cref="HttpUpdateOptions.RefusalRetryInterval"/>, so a device recovers by itself when only the
/// image repository moved on; every cycle's time floor carries the uptime (<see cref="UptimeTimeFloor"/>).
/// <para>
/// A target with an install window (docs/update-metadata.md §3.1) is downloaded and verified at once but listed in
/// <see cref="Ready"/> only while its window is open on the device clock. Until then it is held as a committed file in
/// the downloads folder and nothing is written to flash: the inactive slot keeps the previous version (the revert
/// target), the bootloader's state log gets no new record, and after a power cut the next cycle verifies fresh
/// metadata and finds the committed file again (the downloader does not fetch a committed bundle twice). status.json
/// and the version report say "waiting for install window until T".
/// </para>
/// </summary>
public sealed class HttpUpdateSource : IUpdateSource, IDisposable
{
    private readonly LocalDevice _device;
    private readonly OtaClient _client;
    private readonly HttpUpdateOptions _options;
    private readonly ILogSink _log;
    private readonly BundleDownloader _downloader;
    private readonly Lock _gate = new();
    private readonly List<StagedUpdate> _staged = [];
    private readonly HashSet<string> _refusedBundles = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private StoredTrust? _trust;
    private RefusalReport? _lastRefusal;
    private byte[]? _retryDirector;
    private long _retryAfter;
    private TimeSpan _retryDelay;
    private readonly UptimeTimeFloor _floor;
    private readonly PollPacing _pacing;
    private bool _reportDue = true;
    private int _trialsSeen;
    private long _lastReport;

    public HttpUpdateSource(LocalDevice device, OtaClient client, HttpClient http, HttpUpdateOptions? options, ILogSink log)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _options = options ?? new HttpUpdateOptions();
        _log = log ?? throw new ArgumentNullException(nameof(log));
        if (!device.IsProduction)
            throw new DeviceDataException("a device without roots cannot verify the server's metadata; provision it with --director-root and --image-root");
        _downloader = new BundleDownloader(http, device.Directory, device.Clock, _options.Download);
        _floor = new UptimeTimeFloor(device.Clock);
        _pacing = new PollPacing(_options);
    }

    public const string LogSource = "ota";

    /// <summary>Cycles run, refusals and reports sent so far (status and tests).</summary>
    public int Cycles { get; private set; }

    public int ReportsSent { get; private set; }

    public RefusalReport? LastRefusal => _lastRefusal;

    public void Start()
    {
        if (_loop is not null) throw new InvalidOperationException("already started");
        _started = _device.Clock.GetTimestamp();
        _loop = Task.Run(() => LoopAsync(_stop.Token));
    }

    /// <summary>The staged bundles whose install window is open on the device clock (or that have none). A bundle
    /// outside its window stays staged — a verified file in the downloads folder, the slots untouched — until then.</summary>
    public IReadOnlyList<StagedUpdate> Ready()
    {
        var now = _device.Clock.GetUtcNow();
        lock (_gate) return [.. _staged.Where(s => InWindow(s, now))];
    }

    private static bool InWindow(StagedUpdate staged, DateTimeOffset now) => staged.Metadata?.Window is not { } window || window.IsOpen(now);

    public void Finished(StagedUpdate update, InstallStatus result)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_gate)
        {
            _staged.Remove(update);
            _reportDue = true;
            // A bundle the installer refused is not fetched again in this run: the report tells the server, which stops
            // offering it; a re-signed director document naming it again must not turn into a download loop.
            if (result?.Result == InstallResult.Refused && update.Metadata is { } refused) _refusedBundles.Add(refused.Bundle.Sha256);
        }
        if (update.Metadata is { } install) _downloader.Forget(install);
        PublishWaits();
    }

    private async Task LoopAsync(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                await EnsureEnrolledAsync(cancel).ConfigureAwait(false);
                await TickAsync(cancel).ConfigureAwait(false);
                wait = _pacing.AfterSuccess();
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or DeviceProtocolException or MetadataRefusedException or PendingEnrollmentException)
            {
                wait = _pacing.AfterFailure(e is PendingEnrollmentException pending ? pending.RetryAfter
                    : e is OtaServerException { RetryAfter: { } after } ? after : null);
                Log(LogLevel.Warn, $"{e.Message}; next try in {wait.TotalSeconds:0.#} s");
            }
            catch (Exception e)
            {
                // Never crash the device over the network: an unexpected fault is logged and backed off like the rest.
                wait = _pacing.AfterFailure();
                Log(LogLevel.Error, $"update loop fault: {e}; next try in {wait.TotalSeconds:0.#} s");
            }
            try
            {
                await Task.Delay(wait, _device.Clock, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One tick: report if due, poll, and run a cycle on a new director file (or retry one a download failed).</summary>
    private async Task TickAsync(CancellationToken cancel)
    {
        if (_device.Status.Current.Trials.Count != _trialsSeen)
        {
            _trialsSeen = _device.Status.Current.Trials.Count;
            _reportDue = true;
        }
        // A window that passed unused (the device was off) moves the next opening: status and server hear of it.
        PublishWaits();
        if (_reportDue || _device.Clock.GetElapsedTime(_lastReport) >= _options.ReportInterval) await ReportAsync(cancel).ConfigureAwait(false);
        // An idle device still carries its uptime into the stored floor (hourly), so a power cut plus an RTC reset does
        // not bring back metadata that expired while it ran (docs/trust-model.md §9).
        if (_trust is { } held && _floor.DueToPersist(held.Metadata.TimeFloor)) Persist(held);
        var poll = await _client.PollAsync(cancel).ConfigureAwait(false);
        if (poll.Answer is { } answer)
        {
            _pacing.ServerInterval(TimeSpan.FromSeconds(answer.PollIntervalSeconds));
            if (answer.AcknowledgedNonce is { } acked) Acknowledge(acked);
            if (answer.DirectorTargets is { } director)
            {
                await CycleAsync(director, cancel).ConfigureAwait(false);
                return;
            }
        }
        if (_retryDirector is { } again && _device.Clock.GetElapsedTime(_retryAfter) >= _retryDelay) await CycleAsync(again, cancel).ConfigureAwait(false);
    }

    private async Task CycleAsync(byte[] director, CancellationToken cancel)
    {
        var now = _device.Clock.GetUtcNow();
        lock (_gate)
        {
            // The runner installs what is ready first; the next tick looks again. Bundles only waiting for their
            // window do not stop a cycle: fresh metadata may move the window, drop the target or name another one.
            if (_staged.Any(s => InWindow(s, now))) return;
        }
        Cycles++;
        _retryDirector = null;
        if (LoadTrust() is not { } trust) return;
        // Step 0 with the uptime-advanced floor: now = max(clock, floor + uptime).
        var state = trust.Metadata with { TimeFloor = _floor.Advance(trust.Metadata.TimeFloor) };
        var check = new UpdateVerifier(_device.Clock).Check(state, new UpdateSources(_client.Director(director), _client.ImageRepository()), Context(trust));
        Persist(trust with { Metadata = check.State });
        if (check.Refusal is { } refusal)
        {
            Refuse(refusal, director);
            return;
        }
        if (check.Update is not { } update)
        {
            Unstage(_ => true); // up-to-date: nothing held for a window is wanted any more
            return;
        }
        Unstage(s => !update.Installs.Any(i => i.Bundle.Sha256 == s.Metadata?.Bundle.Sha256));
        foreach (var install in update.Installs)
        {
            lock (_gate)
            {
                if (_refusedBundles.Contains(install.Bundle.Sha256)) continue;
            }
            string file;
            try
            {
                file = await _downloader.DownloadAsync(install, _client.BundleUrl(install), cancel).ConfigureAwait(false);
            }
            catch (MetadataRefusedException e)
            {
                Refuse(e.Refusal, director);
                return;
            }
            lock (_gate)
            {
                // The same bundle held from an earlier cycle takes this cycle's metadata (and its window).
                _staged.RemoveAll(s => s.Metadata?.Bundle.Sha256 == install.Bundle.Sha256);
                _staged.Add(new StagedUpdate($"{install.Release.Container}@{install.Release.Version}", file, install));
            }
            Log(LogLevel.Info, $"downloaded {install} ({install.Bundle.Length} bytes, verified): staged for install" +
                (install.Window is { } window && !window.IsOpen(now) ? WaitText(window, now) : ""));
        }
        _lastRefusal = null;
        PublishWaits();
    }

    private static string WaitText(Formats.UpdateMetadata.Model.InstallWindow window, DateTimeOffset now) =>
        window.NextOpening(now) is { } opens ? $"; waiting for install window until {opens:u}" : "; no install window ahead, waiting for fresh metadata";

    /// <summary>Drops staged bundles (and their files) that <paramref name="unwanted"/> selects: held for a window the
    /// director no longer signs.</summary>
    private void Unstage(Predicate<StagedUpdate> unwanted)
    {
        List<StagedUpdate> dropped;
        lock (_gate)
        {
            dropped = _staged.FindAll(unwanted);
            _staged.RemoveAll(unwanted);
        }
        foreach (var s in dropped)
        {
            if (s.Metadata is { } install) _downloader.Forget(install);
            Log(LogLevel.Info, $"{s.Name}: no longer assigned; the held bundle is dropped");
        }
        if (dropped.Count > 0) PublishWaits();
    }

    /// <summary>
    /// Puts the bundles held for their window into status.json (<see cref="DeviceStatus.AwaitingWindow"/>), which the
    /// version report carries; a change makes a report due, so the server counts the device as waiting, not silent.
    /// </summary>
    private void PublishWaits()
    {
        var now = _device.Clock.GetUtcNow();
        List<WindowWaitStatus> waits;
        lock (_gate)
            waits = [.. _staged.Where(s => !InWindow(s, now) && s.Metadata is not null)
                .Select(s => new WindowWaitStatus(s.Metadata!.Release.Container, s.Metadata.Release.Version, s.Metadata.Window!.NextOpening(now)))];
        if ((_device.Status.Current.AwaitingWindow ?? []).SequenceEqual(waits)) return;
        _device.Status.PublishWindowWaits(waits);
        _reportDue = true;
    }

    /// <summary>Step 0: the store as last persisted, or recovery.</summary>
    private StoredTrust? LoadTrust()
    {
        if (_trust is not null) return _trust;
        try
        {
            return _trust = _device.Trust!.Load();
        }
        catch (TrustStoreDamagedException e)
        {
            if (_lastRefusal?.Code != ReasonCodes.RecoveryState) _reportDue = true;
            _lastRefusal = new RefusalReport(ReasonCodes.RecoveryState, 0, null, Clip(e.Message));
            Log(LogLevel.Error, $"RECOVERY: the trust store is damaged ({e.Message}); installing nothing until re-provisioned");
            return null;
        }
    }

    /// <summary>Stores <paramref name="next"/> with the floor advanced by uptime (never behind what it holds).</summary>
    private void Persist(StoredTrust next)
    {
        var floor = _floor.Advance(next.Metadata.TimeFloor);
        if (floor != next.Metadata.TimeFloor) next = next with { Metadata = next.Metadata with { TimeFloor = floor } };
        _device.Trust!.Save(next);
        _trust = next;
    }

    private void Refuse(MetadataRefusal refusal, byte[] director)
    {
        var report = new RefusalReport(refusal.Code, refusal.Step ?? 0, refusal.Role, Clip(refusal.Detail));
        // Every report makes the director re-sign (a new nonce), so reporting the same refusal again would loop at the
        // poll rate: a refusal is reported when it is new.
        if (_lastRefusal is not { } last || (last.Code, last.Step, last.Role) != (report.Code, report.Step, report.Role)) _reportDue = true;
        _lastRefusal = report;
        Log(LogLevel.Error, $"update refused: {refusal}");
        // Slow or broken transfers are retried with the same verified metadata on the next tick (resuming the partial
        // file). A metadata refusal (steps 1-10) is retried with the same director document after RefusalRetryInterval:
        // what the image repository serves can change without the director re-signing (re-signed expired files after a
        // long absence, a root that rotated out a stolen timestamp key), and the device must recover by itself. So is a
        // chunk that did not match its hash: the verified chunks before it are kept, so a retry costs one chunk, and
        // what damaged it (a corrupting proxy, a bit flip on the way) is usually gone by then — waiting for a new director
        // document would leave the device stuck on a transport fault. A bundle that broke its signed length or hash as a
        // whole is not fetched again until the director names it anew: retrying would only spend bandwidth on the same
        // hostile bytes.
        var transfer = ReasonCodes.IsTransfer(refusal.Code);
        var chunk = refusal.Code == ReasonCodes.ChunkMismatch;
        _retryDirector = transfer || chunk || refusal.Step is null or < 11 ? director : null;
        _retryAfter = _device.Clock.GetTimestamp();
        _retryDelay = transfer ? TimeSpan.Zero : _options.RefusalRetryInterval;
    }

    private DeviceContext Context(StoredTrust trust) => MetadataContext.Of(_device, trust.Nonces.Accepted);

    private async Task ReportAsync(CancellationToken cancel)
    {
        var nonce = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        // The nonce is in flight before it leaves: a director answer to it is acceptable even after a power cut.
        if (LoadTrust() is { } trust) Persist(trust with { Nonces = trust.Nonces.Sent(nonce) });
        var answer = await _client.ReportAsync(VersionReports.Of(_device, nonce, _lastRefusal), cancel).ConfigureAwait(false);
        _reportDue = false;
        _lastReport = _device.Clock.GetTimestamp();
        ReportsSent++;
        Acknowledge(answer.AcknowledgedNonce);
    }

    private void Acknowledge(string nonce)
    {
        if (_trust is not { } trust || trust.Nonces.Acknowledged == nonce) return;
        if (nonce != trust.Nonces.InFlight) return; // only a nonce this device sent can become acknowledged
        Persist(trust with { Nonces = trust.Nonces.AcknowledgedNow(nonce) });
    }

    private async Task EnsureEnrolledAsync(CancellationToken cancel)
    {
        var marker = _device.Directory.EnrollmentMarkerFile;
        var origin = DeviceSigningInputs.Origin(_client.Server);
        if (File.Exists(marker) && File.ReadAllText(marker) == origin) return;
        var identity = _device.Identity;
        var request = new EnrollmentRequest(identity.DeviceId, File.ReadAllBytes(_device.Directory.IdentityPublicKeyFile) is var pem ? Spki(pem) : [],
            identity.DeviceClass, identity.Flash, new EquatableList<PartitionEntry>(identity.Containers.Select(c => new PartitionEntry(c.Name, c.SlotBytes))),
            Runtime.RuntimeVersion.Current.ToString(), _options.EnrollmentToken, []);
        var answer = await _client.EnrollAsync(request, cancel).ConfigureAwait(false);
        if (answer.Status == EnrollmentStatus.Pending)
            throw new PendingEnrollmentException(TimeSpan.FromSeconds(Math.Max(1, answer.RetryAfterSeconds)));
        AtomicFile.Write(marker, System.Text.Encoding.UTF8.GetBytes(origin));
        Log(LogLevel.Info, $"enrolled with {origin}");
    }

    private static byte[] Spki(byte[] pem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(System.Text.Encoding.ASCII.GetString(pem));
        return key.ExportSubjectPublicKeyInfo();
    }

    private long _started;

    private void Log(LogLevel level, string message) =>
        _log.Write(new LogRecord(_device.Clock.GetElapsedTime(_started), "device", level, LogSource, message));

    private static string Clip(string text) => text.Length <= VersionReport.MaxDetailLength ? text : text[..VersionReport.MaxDetailLength];

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _loop?.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // The loop ends on cancellation; anything else was logged there.
        }
        _stop.Dispose();
    }

    /// <summary>The server keeps the device pending until an operator approves it.</summary>
    private sealed class PendingEnrollmentException(TimeSpan retryAfter) : Exception($"enrolment pending operator approval")
    {
        public TimeSpan RetryAfter { get; } = retryAfter;
    }
}
