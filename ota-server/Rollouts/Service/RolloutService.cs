using System.Collections.Immutable;
using System.Text.Json;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaRollouts.Policy;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaRollouts.Service;

/// <summary>
/// Runs the rollout engine for the OTA host: holds every deployment's state in memory (loaded from
/// <see cref="IDeploymentStore"/> at first use), feeds it operator actions, device reports
/// (<see cref="IDeviceReportListener"/>) and ticks (<see cref="RolloutTicker"/>), and stores each changed state with
/// the audit entries of its decisions in one transaction before it is visible. All changes run one at a time (one
/// gate), so the stored order is the decision order. A tick also catches up on reports the store holds but the engine
/// has not used (a crash between storing a report and deciding on it): the engine uses a report once by its sequence,
/// so nothing is counted twice (a device whose offer a halt withdrew is caught up on too while its offer is younger than
/// the device timeout: its download may go on to a trial or a confirm). What devices are offered (<see cref="IRolloutOffers"/>) is an immutable snapshot
/// swapped after each change, read by every poll without the gate. The count of active deployments
/// (<see cref="DeploymentState.IsActive"/>) goes to <see cref="IOtaMetrics.SetActiveDeployments"/> whenever it may change.
/// With policies (<see cref="RolloutPolicy"/>) a deployment the serving set forbids is refused at creation, every wave is
/// decided again before it starts, and every audit entry of a deployment carries the serving set's digest.
/// <para>
/// Replicas (issue 17, docs/scale-out.md): with a store other processes write (<see cref="IRolloutLock.Shared"/>), the gate
/// has a second, cross-process half — every change holds <see cref="IRolloutLock"/> too — and, holding both, the service
/// first reads again every deployment a peer saved (<see cref="IDeploymentStore.Version"/>, then the changed revisions),
/// so it decides on the stored state: a report the peer already used has a sequence at or below the device's last one and
/// is ignored by the engine, never counted twice. Reads (polls, the API, the dashboard) make the same cheap version check
/// first, so what one replica decided is what the other answers; a state is only ever replaced by a higher revision.
/// </para>
/// </summary>
public sealed class RolloutService(IDeploymentStore store, IReleaseStore releases, FleetReader fleet, IAuditLog audit, TimeProvider time,
    ILogger<RolloutService>? log = null, IOtaMetrics? metrics = null, ReleaseRecounter? recounter = null, RolloutPolicy? policy = null,
    IRolloutLock? clusterLock = null) : IRolloutOffers, IDeviceReportListener
{
    private readonly IRolloutLock _clusterLock = clusterLock ?? SingleProcessRolloutLock.Instance;
    private readonly Lock _refreshing = new();
    private long _knownVersion; // written under _refreshing; read without it by Refresh's first check

    private static readonly OperatorIdentity Engine = new("rollout-engine", "rollout engine", OperatorRole.Admin, []);

    // Without policies the entries read as before (no policySet member).
    private static readonly JsonSerializerOptions AuditJsonOptions = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private readonly ReleaseRecounter _recounter = recounter ?? new ReleaseRecounter(releases, time);

    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Raised with each deployment state right after it was stored and became visible (under the change gate, in
    /// decision order): the dashboard's live updates. Handlers must return quickly and not throw.</summary>
    public event Action<DeploymentState>? Published;
    private Dictionary<string, DeploymentState>? _states;
    private readonly InstallWindowMemo _windows = new();
    private volatile ImmutableDictionary<string, DeploymentOffers> _offers = ImmutableDictionary<string, DeploymentOffers>.Empty;

    public IReadOnlyList<DeploymentState> List()
    {
        EnsureLoaded();
        Refresh();
        lock (_states!) return [.. _states.Values.OrderBy(s => s.Spec.CreatedAt).ThenBy(s => s.Id, StringComparer.Ordinal)];
    }

    public DeploymentState? Find(string id)
    {
        EnsureLoaded();
        Refresh();
        lock (_states!) return _states.GetValueOrDefault(id);
    }

    public IReadOnlyList<RolloutOffer> OffersFor(string deviceId)
    {
        EnsureLoaded();
        Refresh();
        var best = new Dictionary<string, (DeploymentOffers From, DeviceOffer Offer)>(StringComparer.Ordinal);
        foreach (var d in _offers.Values)
            if (d.Devices.TryGetValue(deviceId, out var offer) && (!best.TryGetValue(d.Spec.Container, out var b) || Newer(d.Spec, b.From.Spec)))
                best[d.Spec.Container] = (d, offer);
        // The window moves with the day, so it is resolved per poll (remembered per day), only for a device still to install.
        return [.. best.Values.Select(b => new RolloutOffer(b.From.Spec.Container, b.Offer.ReleaseId, b.From.Spec.Id,
            b.Offer.Installing ? _windows.For(b.From.Spec, b.Offer.Groups, time.GetUtcNow()) : null))];
    }

    /// <summary>The later deployment wins; two created at the same instant are ordered by id, so every poll and every
    /// replica picks the same one whatever order the offers are held in.</summary>
    private static bool Newer(DeploymentSpec a, DeploymentSpec b) =>
        a.CreatedAt != b.CreatedAt ? a.CreatedAt > b.CreatedAt : string.CompareOrdinal(a.Id, b.Id) > 0;

    public async Task<DeploymentState> CreateAsync(DeploymentRequest request, OperatorIdentity actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(actor);
        var release = await releases.GetAsync(request.ReleaseId, ct).ConfigureAwait(false)
            ?? throw new OtaProblemException(404, RolloutProblemCodes.ReleaseNotFound, "$.releaseId", $"no release '{request.ReleaseId}'");
        var via = new List<IntermediateRelease>();
        foreach (var (id, i) in (request.Via ?? []).Select((v, i) => (v, i)))
        {
            var r = await releases.GetAsync(id ?? "", ct).ConfigureAwait(false);
            if (r is null || r.Container != release.Container)
                throw new OtaProblemException(404, RolloutProblemCodes.ReleaseNotFound, $"$.via[{i}]", $"no release '{id}' of {release.Container}");
            via.Add(new IntermediateRelease(r.Id, r.Version));
        }
        var now = time.GetUtcNow();
        var spec = request.ToSpec(DeploymentSpec.NewId(), release, [.. via.OrderBy(v => AtymSecure.Formats.Container.SemanticVersion.Parse(v.Version))], now, RolloutEngine.Actor(actor));
        if (actor.IsScoped && (spec.Target.Groups.Count == 0 || !spec.Target.Groups.All(g => actor.Groups.Contains(g, StringComparer.Ordinal)) || spec.Target.Devices.Count > 0))
            throw new OtaProblemException(403, RolloutProblemCodes.OutOfScope, "$.target", $"a token scoped to {string.Join(", ", actor.Groups)} deploys to those groups only (no explicit devices)");
        return await CreateSpecAsync(spec, actor, ct).ConfigureAwait(false);
    }

    public Task<DeploymentState> ApproveAsync(string id, OperatorIdentity actor, CancellationToken ct = default) =>
        ActAsync(id, actor, s => RolloutEngine.Approve(s, actor, time.GetUtcNow(), policy), ct);

    public Task<DeploymentState> PauseAsync(string id, OperatorIdentity actor, CancellationToken ct = default) =>
        ActAsync(id, actor, s => RolloutEngine.Pause(s, actor, time.GetUtcNow()), ct);

    public Task<DeploymentState> ResumeAsync(string id, OperatorIdentity actor, CancellationToken ct = default) =>
        ActAsync(id, actor, s => RolloutEngine.Resume(s, actor, time.GetUtcNow(), policy), ct);

    public Task<DeploymentState> CancelAsync(string id, OperatorIdentity actor, CancellationToken ct = default) =>
        ActAsync(id, actor, s => RolloutEngine.Cancel(s, actor, time.GetUtcNow()), ct);

    /// <summary>Rolls back the devices that took <paramref name="id"/>'s release (rollback policy: <see cref="RollbackPlanner"/>); returns the rollback deployment.</summary>
    public async Task<DeploymentState> RollbackAsync(string id, string? releaseId, OperatorIdentity actor, CancellationToken ct = default)
    {
        var state = Find(id) ?? throw NotFound(id);
        if (!actor.Covers(state.Spec.Target.Groups) && actor.IsScoped) throw NotFound(id);
        var spec = await PlanRollbackAsync(state, releaseId, actor, ct).ConfigureAwait(false);
        var rollback = await CreateSpecAsync(spec, actor, ct).ConfigureAwait(false);
        await ActAsync(id, actor, s => RolloutEngine.MarkRolledBack(s, rollback.Id, time.GetUtcNow()), ct).ConfigureAwait(false);
        return rollback;
    }

    public async Task OnReportStoredAsync(DeviceReport stored, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stored);
        EnsureLoaded();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        var held = await HoldAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var state in Snapshot().Where(s => s.Device(stored.DeviceId) is { } d && !DeviceProgress.IsSettled(d)))
                if (FleetReader.Observe(stored, state.Spec.Container) is { } observation)
                    await CommitAsync(RolloutEngine.Observe(Current(state.Id), observation, time.GetUtcNow(), policy), Engine, ct).ConfigureAwait(false);
        }
        finally
        {
            await held.DisposeAsync().ConfigureAwait(false);
            _gate.Release();
        }
    }

    /// <summary>A device of another protocol (<see cref="IExternalDeviceReports"/>) stored new feedback: every deployment it
    /// is unsettled in observes it, as <see cref="OnReportStoredAsync"/> does for a report (the sequence keeps it used once).</summary>
    public async Task OnExternalReportAsync(string deviceId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        EnsureLoaded();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        // Held across replicas like a report's: a DDI device's feedback may reach any replica.
        var held = await HoldAsync(ct).ConfigureAwait(false);
        try
        {
            foreach (var state in Snapshot().Where(s => s.Device(deviceId) is { } d && !DeviceProgress.IsSettled(d)))
                if (fleet.Latest(deviceId, state.Spec.Container) is { } observation && observation.Sequence > Current(state.Id).Device(deviceId)!.LastReport)
                    await CommitAsync(RolloutEngine.Observe(Current(state.Id), observation, time.GetUtcNow(), policy), Engine, ct).ConfigureAwait(false);
        }
        finally
        {
            await held.DisposeAsync().ConfigureAwait(false);
            _gate.Release();
        }
    }

    /// <summary>Time passed: every deployment that may still change is ticked (continuous ones with the fleet as it is now)
    /// and catches up on stored reports it has not used.</summary>
    public async Task TickAsync(CancellationToken ct = default)
    {
        EnsureLoaded();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        var held = await HoldAsync(ct).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            foreach (var state in Snapshot().Where(s => s.IsActive || s.Devices.Any(d => DeviceProgress.MayStillReport(d, s.Spec, now))))
            {
                foreach (var d in state.Devices.Where(d => d.State is DeviceRolloutState.Offered or DeviceRolloutState.Waiting or DeviceRolloutState.Trial or DeviceRolloutState.Withdrawn))
                    if (fleet.Latest(d.DeviceId, state.Spec.Container) is { } latest && latest.Sequence > Current(state.Id).Device(d.DeviceId)!.LastReport)
                        await CommitAsync(RolloutEngine.Observe(Current(state.Id), latest, time.GetUtcNow(), policy), Engine, ct).ConfigureAwait(false);
                var devices = state.Spec.Targeting == TargetingMode.Continuous && state.IsActive ? fleet.Active(state.Spec.Container) : null;
                await CommitAsync(RolloutEngine.Tick(Current(state.Id), time.GetUtcNow(), devices, policy), Engine, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await held.DisposeAsync().ConfigureAwait(false);
            _gate.Release();
        }
    }

    /// <summary>The rollback deployment of <paramref name="state"/>: the previous code, re-released at the fleet's floor
    /// when its own counter is below it (<see cref="RollbackPlanner"/>; the re-release is an audit record of its own).</summary>
    private async Task<DeploymentSpec> PlanRollbackAsync(DeploymentState state, string? releaseId, OperatorIdentity actor, CancellationToken ct)
    {
        var choice = RollbackPlanner.Choose(state, await releases.ListAsync(state.Spec.Container, ct).ConfigureAwait(false), releaseId);
        var release = choice.Previous;
        if (choice.NeedsRerelease)
        {
            release = await _recounter.RereleaseAsync(choice.Previous, choice.Floor, ct).ConfigureAwait(false);
            audit.Append(new AuditEntry(0, time.GetUtcNow(), actor.TokenId, actor.Label, "rollout.rollback-rereleased", $"deployment/{state.Id}", null,
                JsonSerializer.Serialize(new { release = release.Id, of = choice.Previous.Id, version = release.Version, securityCounter = release.SecurityCounter,
                    detail = $"{release.Container} {release.Version} re-released as {release.Id} at the fleet's floor {choice.Floor} (its release {choice.Previous.Id} has counter {choice.Previous.SecurityCounter})" })));
        }
        return RollbackPlanner.Plan(state, choice, release, DeploymentSpec.NewId(), time.GetUtcNow(), RolloutEngine.Actor(actor));
    }

    private async Task<DeploymentState> CreateSpecAsync(DeploymentSpec spec, OperatorIdentity actor, CancellationToken ct)
    {
        EnsureLoaded();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        var held = await HoldAsync(ct).ConfigureAwait(false);
        try
        {
            var active = fleet.Active(spec.Container);
            var now = time.GetUtcNow();
            var step = RolloutEngine.Create(spec, active, now);
            if (step.State.Devices.Count == 0)
                throw new OtaProblemException(422, RolloutProblemCodes.NoTargets, "$.target", "no active device matches the target set");
            if (policy is not null)
            {
                // Decided on the plan as it would run; created again with the gate, which admits what this allowed.
                await policy.CheckCreationAsync(step.State, actor, now, ct).ConfigureAwait(false);
                step = RolloutEngine.Create(spec, active, now, policy);
            }
            var created = await CommitAsync(step, actor, ct).ConfigureAwait(false);
            // One active deployment per container per device: older ones give up the devices they have not offered yet.
            var ids = created.Devices.Select(d => d.DeviceId).ToHashSet(StringComparer.Ordinal);
            foreach (var older in Snapshot().Where(s => s.Id != created.Id && s.Spec.Container == spec.Container && s.Devices.Any(d => ids.Contains(d.DeviceId))))
                await CommitAsync(RolloutEngine.Supersede(older, ids, created.Id, onlyPending: true, time.GetUtcNow(), policy), Engine, ct).ConfigureAwait(false);
            return Current(created.Id);
        }
        finally
        {
            await held.DisposeAsync().ConfigureAwait(false);
            _gate.Release();
        }
    }

    private async Task<DeploymentState> ActAsync(string id, OperatorIdentity actor, Func<DeploymentState, RolloutStep> act, CancellationToken ct)
    {
        EnsureLoaded();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        var held = await HoldAsync(ct).ConfigureAwait(false);
        try
        {
            var state = Find(id) is { } s && (!actor.IsScoped || actor.Covers(s.Spec.Target.Groups)) ? s : throw NotFound(id);
            return await CommitAsync(act(state), actor, ct).ConfigureAwait(false);
        }
        finally
        {
            await held.DisposeAsync().ConfigureAwait(false);
            _gate.Release();
        }
    }

    /// <summary>Stores a changed state with its audit entries, then publishes it; follows up what the decisions ask for
    /// (older deployments give up devices that confirmed this one's release; a halt with the rollback policy rolls back).</summary>
    private async Task<DeploymentState> CommitAsync(RolloutStep step, OperatorIdentity actor, CancellationToken ct)
    {
        if (!step.Changed) return step.State;
        var at = time.GetUtcNow();
        var entries = step.Decisions.Select(d => new AuditEntry(0, at, actor.TokenId, actor.Label, "rollout." + d.Action,
            d.DeviceId is null ? $"deployment/{step.State.Id}" : $"deployment/{step.State.Id}/device/{d.DeviceId}", null,
            JsonSerializer.Serialize(new { detail = d.Detail, status = RolloutEngine.Name(step.State.Status), wave = step.State.Wave, policySet = policy?.ServingDigest },
                AuditJsonOptions))).ToList();
        var stored = store.TrySave(step.State, step.State.Revision, entries)
            ?? throw new InvalidOperationException($"deployment {step.State.Id} changed in the store behind this process");
        Publish(stored);
        var confirmed = step.Decisions.Where(d => d.Action == RolloutActions.Confirmed && d.DeviceId is not null).Select(d => d.DeviceId!).ToHashSet(StringComparer.Ordinal);
        if (confirmed.Count > 0)
            foreach (var older in Snapshot().Where(s => s.Spec.Container == stored.Spec.Container && s.Spec.CreatedAt < stored.Spec.CreatedAt && s.Devices.Any(d => confirmed.Contains(d.DeviceId) && d.State != DeviceRolloutState.Superseded)))
                await CommitAsync(RolloutEngine.Supersede(older, confirmed, stored.Id, onlyPending: false, at, policy), Engine, ct).ConfigureAwait(false);
        if (stored.RolledBackBy is { } rollbackId)
            foreach (var late in step.ReachedAfterRollback)
                if (fleet.Find(late, stored.Spec.Container) is { } device)
                    await CommitAsync(RolloutEngine.Adopt(Current(rollbackId), Current(stored.Id), device, at, policy), Engine, ct).ConfigureAwait(false);
        if (step.RollbackRequested) await RollbackOnHaltAsync(stored, ct).ConfigureAwait(false);
        return Current(stored.Id);
    }

    private async Task RollbackOnHaltAsync(DeploymentState halted, CancellationToken ct)
    {
        try
        {
            var spec = await PlanRollbackAsync(halted, null, Engine, ct).ConfigureAwait(false);
            var step = RolloutEngine.Create(spec, fleet.Active(spec.Container), time.GetUtcNow(), policy);
            var rollback = await CommitAsync(step, Engine, ct).ConfigureAwait(false);
            await CommitAsync(RolloutEngine.MarkRolledBack(Current(halted.Id), rollback.Id, time.GetUtcNow()), Engine, ct).ConfigureAwait(false);
        }
        catch (OtaProblemException e)
        {
            // Nothing to roll back (no device took the release) or no earlier release of the code: said in the audit log.
            log?.LogWarning("rollback of {Deployment} on halt: {Reason}", halted.Id, e.Problems[0].Message);
            audit.Append(new AuditEntry(0, time.GetUtcNow(), Engine.TokenId, Engine.Label, "rollout.rollback-skipped", $"deployment/{halted.Id}", null,
                JsonSerializer.Serialize(new { detail = e.Problems[0].Message, code = e.Problems[0].Code })));
        }
    }

    private void Publish(DeploymentState state)
    {
        if (Absorb(state)) Published?.Invoke(state);
    }

    /// <summary>Takes <paramref name="state"/> as the deployment's current one unless a higher revision is held (a peer's
    /// newer save read by a refresh may race this process's publish of an older one); true when taken.</summary>
    private bool Absorb(DeploymentState state)
    {
        lock (_states!)
        {
            if (_states.TryGetValue(state.Id, out var held) && held.Revision >= state.Revision) return false;
            _states[state.Id] = state;
            CountActive(_states.Values);
            _offers = _offers.SetItem(state.Id, DeploymentOffers.Of(state));
        }
        return true;
    }

    /// <summary>Takes the cross-process half of the gate (after the in-process one) and reads what peers saved meanwhile.</summary>
    private async Task<IAsyncDisposable> HoldAsync(CancellationToken ct)
    {
        var held = await _clusterLock.AcquireAsync(ct).ConfigureAwait(false);
        try
        {
            Refresh();
            return held;
        }
        catch
        {
            await held.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>With a shared store: when the store's version moved since the last look, reads the deployments whose stored
    /// revision is above the one held, and publishes them. One primary-key read when nothing moved, made outside the lock:
    /// every poll asks, and polls must not queue behind each other's database round trips. A version equal to the known one
    /// is safe to trust unlocked — it is published only after every save up to it was absorbed.</summary>
    private void Refresh()
    {
        if (!_clusterLock.Shared) return;
        var version = store.Version;
        if (version == Volatile.Read(ref _knownVersion)) return;
        var changed = new List<DeploymentState>();
        lock (_refreshing)
        {
            if (_knownVersion >= version) return; // another caller refreshed to it (versions only grow) meanwhile
            Dictionary<string, long> held;
            lock (_states!) held = _states.ToDictionary(p => p.Key, p => p.Value.Revision, StringComparer.Ordinal);
            foreach (var r in store.Revisions())
                if ((!held.TryGetValue(r.Id, out var revision) || revision < r.Revision) && store.Find(r.Id) is { } stored && Absorb(stored))
                    changed.Add(stored);
            Volatile.Write(ref _knownVersion, version);
        }
        foreach (var state in changed) Published?.Invoke(state);
    }

    private void CountActive(IEnumerable<DeploymentState> states) => metrics?.SetActiveDeployments(states.LongCount(s => s.IsActive));

    private DeploymentState Current(string id)
    {
        lock (_states!) return _states[id];
    }

    private List<DeploymentState> Snapshot()
    {
        lock (_states!) return [.. _states.Values.OrderBy(s => s.Spec.CreatedAt)];
    }

    private void EnsureLoaded()
    {
        if (_states is not null) return;
        var version = _clusterLock.Shared ? store.Version : 0; // read first: a save after it is read again by the next refresh
        var loaded = store.List().ToDictionary(s => s.Id, StringComparer.Ordinal);
        if (Interlocked.CompareExchange(ref _states, loaded, null) is null)
        {
            // Only the load that was kept sets the version it read: a losing load may have read a later version than the
            // kept states hold. Until set, a refresh compares every revision (the version is 0), which is only slower.
            lock (_refreshing)
                if (_knownVersion < version) Volatile.Write(ref _knownVersion, version);
            // Under the states' lock, as Absorb sets offers: a state a concurrent refresh absorbed into `loaded` is in them.
            lock (loaded)
            {
                _offers = loaded.Values.Aggregate(ImmutableDictionary<string, DeploymentOffers>.Empty, (m, s) => m.SetItem(s.Id, DeploymentOffers.Of(s)));
                CountActive(loaded.Values);
            }
        }
    }

    private static OtaProblemException NotFound(string id) => new(404, RolloutProblemCodes.DeploymentNotFound, "id", $"no deployment '{id}'");

    /// <summary>What a deployment offers whom: per device the release, the groups (whose windows apply) and whether it is
    /// still to install (offered or waiting: only then is an install window signed).</summary>
    private sealed record DeploymentOffers(DeploymentSpec Spec, ImmutableDictionary<string, DeviceOffer> Devices)
    {
        public static DeploymentOffers Of(DeploymentState s)
        {
            var devices = s.Devices.ToDictionary(d => d.DeviceId, StringComparer.Ordinal);
            return new(s.Spec, RolloutEngine.Offers(s).ToImmutableDictionary(o => o.DeviceId, o => new DeviceOffer(o.ReleaseId, devices[o.DeviceId].Groups,
                devices[o.DeviceId].State is DeviceRolloutState.Offered or DeviceRolloutState.Waiting), StringComparer.Ordinal));
        }
    }

    private sealed record DeviceOffer(string ReleaseId, EquatableList<string> Groups, bool Installing);
}
