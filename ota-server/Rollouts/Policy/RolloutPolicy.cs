using System.Collections.Concurrent;
using AtymSecure.Formats.Container;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Policy;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;

namespace AtymSecure.OtaRollouts.Policy;

/// <summary>
/// The policy set's say over deployments (issue 15 §3): every device of every wave is decided by the one evaluator as
/// the device it is (class, each of its groups, runtime, flash profile) receiving the release as import verified it
/// (<see cref="ReleaseFacts"/>: trust again, with the set serving now), in its wave as that group sees it: the wave's
/// number among the group's waves, canary or not, the group's share in it, the plan's soak and the share of failures
/// that halts it. Deployment creation is refused (403 naming rule, file, line and the set's digest) when any wave as
/// planned is forbidden, or the first one at its start time (a freeze, outside the group's windows). Before each wave
/// starts (<see cref="IWaveGate"/>), the serving set decides again: forbidden as it stands (a policy change) pauses the
/// deployment naming the rule; forbidden only now (a freeze, a window) holds the wave until allowed. A rollback is held
/// by neither freezes nor windows: bringing devices back to what they ran is never delayed by a change freeze.
/// </summary>
public sealed class RolloutPolicy(OtaPolicyGate gate, IDeviceStore devices, IReleaseStore releases) : IWaveGate
{
    private readonly ConcurrentDictionary<string, ReleaseDescriptor> _releases = new(StringComparer.Ordinal);

    /// <summary>The digest of the set serving now (recorded with every rollout audit entry), or null when none loaded.</summary>
    public string? ServingDigest => gate.Source.State.Serving?.Digest.ToString();

    /// <summary>Refuses a planned deployment the serving set forbids; the decision (allowed or not) goes to the audit log.</summary>
    public async Task CheckCreationAsync(DeploymentState planned, OperatorIdentity actor, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(planned);
        ArgumentNullException.ThrowIfNull(actor);
        var set = gate.Serving();
        var release = await DescriptorAsync(planned.Spec.ReleaseId, ct).ConfigureAwait(false);
        var startsAt = planned.Spec.StartAt is { } start && start > now ? start : now;
        Finding? refusal = null, allowed = null;
        for (var wave = planned.Wave; wave < planned.WaveCount && refusal is null; wave++)
        {
            var timed = wave == planned.Wave && planned.Spec.RollbackOf is null ? startsAt : (DateTimeOffset?)null;
            var (denied, any) = Decide(set, release, planned.Spec, planned.Devices, wave, timed, onlyPending: false);
            refusal = denied;
            allowed ??= any;
        }
        var subject = $"deployment/{planned.Id}";
        if (refusal is { } r)
        {
            gate.Record(r.Decision, actor, "policy.deployment-create", subject);
            var path = r.Decision.Rule.StartsWith("trust/", StringComparison.Ordinal) || r.Decision.Rule.StartsWith("permission/", StringComparison.Ordinal) ? "$.releaseId" : "$.target";
            throw OtaPolicyGate.Refusal(r.Decision, path, $"deployment refused, {r.Context}");
        }
        if (allowed is { } a) gate.Record(a.Decision, actor, "policy.deployment-create", subject);
    }

    public WaveVerdict Check(DeploymentSpec spec, IReadOnlyList<DeviceRollout> devices, int wave, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(devices);
        var set = gate.Source.State.Serving;
        if (set is null) return new WaveVerdict(WaveGateOutcome.Wait, $"wave {wave + 1} waits: no valid policy set is loaded from {gate.Source.Folder} (see /readyz)");
        var release = _releases.TryGetValue(spec.ReleaseId, out var known) ? known
            : DescriptorAsync(spec.ReleaseId, CancellationToken.None).GetAwaiter().GetResult();
        if (Decide(set, release, spec, devices, wave, now, onlyPending: true).Refusal is not { } timed) return WaveVerdict.Admitted;
        if (Decide(set, release, spec, devices, wave, null, onlyPending: true).Refusal is { } standing)
            return new WaveVerdict(WaveGateOutcome.Pause, OtaPolicyGate.Describe(standing.Decision, $"paused before wave {wave + 1}, {standing.Context}"));
        return spec.RollbackOf is null
            ? new WaveVerdict(WaveGateOutcome.Wait, OtaPolicyGate.Describe(timed.Decision, $"wave {wave + 1} waits, {timed.Context}"))
            : WaveVerdict.Admitted;
    }

    /// <summary>The first refusal among the wave's devices (by id; with <paramref name="onlyPending"/> those not yet offered), and some allowing decision.</summary>
    private (Finding? Refusal, Finding? Allowed) Decide(PolicySet set, ReleaseDescriptor release, DeploymentSpec spec, IReadOnlyList<DeviceRollout> planned, int wave,
        DateTimeOffset? at, bool onlyPending)
    {
        var seen = new Dictionary<(string Class, string Group, string Runtime, string Flash), Decision>();
        Finding? allowed = null;
        foreach (var device in planned.Where(d => d.Wave == wave && (!onlyPending || d.State == DeviceRolloutState.Pending)).OrderBy(d => d.DeviceId, StringComparer.Ordinal))
        {
            if (devices.Find(device.DeviceId) is not { } record) continue;
            foreach (var group in device.Groups.Count == 0 ? [""] : device.Groups)
            {
                var key = (record.DeviceClass, group, record.RuntimeVersion, record.FlashProfile);
                if (!seen.TryGetValue(key, out var decision))
                {
                    var runtime = SemanticVersion.TryParse(record.RuntimeVersion, out var v) ? v : SemanticVersion.Parse("0.0.0");
                    var descriptor = new DeviceDescriptor(record.Id, record.DeviceClass, group, runtime, record.FlashProfile);
                    decision = PolicyEvaluator.Evaluate(set, new DecisionRequest(release, descriptor, at, WaveOf(spec, planned, wave, group)));
                    seen[key] = decision;
                }
                var finding = new Finding(decision, $"wave {wave + 1}, device {record.Id} in group {(group.Length == 0 ? "(none)" : group)}");
                if (!decision.Allowed) return (finding, allowed);
                allowed ??= finding;
            }
        }
        return (null, allowed);
    }

    /// <summary>Wave <paramref name="wave"/> as <paramref name="group"/> sees it (its devices already on the version not counted).</summary>
    private static RolloutWave WaveOf(DeploymentSpec spec, IReadOnlyList<DeviceRollout> planned, int wave, string group)
    {
        var members = planned.Where(d => d.Wave >= 0 && (group.Length == 0 ? d.Groups.Count == 0 : d.Groups.Contains(group, StringComparer.Ordinal))).ToList();
        var number = members.Select(d => d.Wave).Distinct().Order().TakeWhile(w => w < wave).Count() + 1;
        var percent = members.Count == 0 ? 0 : (int)Math.Ceiling(100.0 * members.Count(d => d.Wave == wave) / members.Count);
        var inWave = planned.Count(d => d.Wave == wave);
        return new RolloutWave(number, wave == 0 && spec.Plan.Canary > 0, percent, spec.Plan.Soak, HaltPercent(spec.Halt, inWave));
    }

    /// <summary>
    /// The failed share of a wave of <paramref name="waveSize"/> at which the deployment halts, the lower of its ratio's and
    /// its count's. Halting at the first failure is the strictest rule there is (0), whatever the wave's size: a share
    /// below one device cannot be halted at sooner.
    /// </summary>
    private static int HaltPercent(HaltRule halt, int waveSize)
    {
        var byRatio = halt.MaxFailureRatio is { } ratio ? (int)Math.Ceiling(ratio * 100) : 100;
        var byCount = halt.MaxFailures switch
        {
            null => 100,
            <= 1 => 0,
            { } count => waveSize > 0 ? (int)Math.Ceiling(100.0 * count / waveSize) : 100,
        };
        return Math.Clamp(Math.Min(byRatio, byCount), 0, 100);
    }

    private async Task<ReleaseDescriptor> DescriptorAsync(string releaseId, CancellationToken ct)
    {
        if (_releases.TryGetValue(releaseId, out var known)) return known;
        var release = await releases.GetAsync(releaseId, ct).ConfigureAwait(false)
            ?? throw new OtaProblemException(404, RolloutProblemCodes.ReleaseNotFound, "$.releaseId", $"no release '{releaseId}'");
        // Releases never change once recorded, so their descriptors are kept.
        return _releases.GetOrAdd(releaseId, ReleaseFacts.FromStored(release));
    }

    private sealed record Finding(Decision Decision, string Context);
}
