using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Tests.Support;

/// <summary>Specs, fleets and reports for the engine tests: a container sensor-filter going from 1.0.0 to 2.0.0.</summary>
internal static class RolloutSamples
{
    public static readonly DateTimeOffset Epoch = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);
    public static readonly OperatorIdentity Alice = new("tok-alice", "alice", OperatorRole.Deployer, []);
    public static readonly OperatorIdentity Bob = new("tok-bob", "bob", OperatorRole.Deployer, []);

    public static VirtualClock Clock() => new(epoch: Epoch);

    public static DeploymentSpec Spec(int canary = 2, WaveStep[]? waves = null, TimeSpan? soak = null, HaltRule? halt = null, TimeSpan? timeout = null,
        RetryPolicy? retry = null, string[]? groups = null) => new(
        "dep-0000000000000001", "rel-2000000000000000", "sensor-filter", "2.0.0",
        new TargetSet(new EquatableList<string>(groups ?? ["eu", "us"]), EquatableMap<string>.Empty, null, []),
        TargetingMode.Snapshot,
        new RolloutPlan(canary, new EquatableList<WaveStep>(waves ?? [new WaveStep(null, 50), new WaveStep(null, 100)]), soak ?? TimeSpan.FromSeconds(30)),
        halt ?? new HaltRule(1, null, 0), timeout ?? TimeSpan.FromMinutes(10), retry ?? RetryPolicy.None,
        RollbackOnHalt: false, Forced: false, RequiresApproval: false, Via: [], MaxConcurrentDownloads: null, StartAt: null, EndAt: null,
        TimeZone: "UTC", Windows: [], CreatedAt: Epoch, CreatedBy: "tok-alice alice");

    /// <summary>Devices d00..d(N-1), alternating groups eu and us, each confirmed on 1.0.0 (report sequence 1).</summary>
    public static List<FleetDevice> Fleet(int count, string[]? groups = null)
    {
        groups ??= ["eu", "us"];
        return [.. Enumerable.Range(0, count).Select(i => Device($"d{i:D2}", groups[i % groups.Length]))];
    }

    public static FleetDevice Device(string id, string group, string? version = "1.0.0") =>
        new(id, "linux-x86_64", [group], EquatableMap<string>.Empty, version is null ? null : Report(id, 1, confirmed: version));

    public static DeviceObservation Report(string device, long sequence, string? confirmed = "1.0.0", string? trial = null,
        string? install = null, string? installCode = null, (string Verdict, string Version, string Reason)? lastTrial = null, string? refusal = null) =>
        new(device, sequence, confirmed, trial, install, installCode, install is null ? null : "detail",
            lastTrial?.Verdict, lastTrial?.Version, lastTrial?.Reason, refusal, refusal is null ? null : "step 9: detail");

    /// <summary>2.0.0 downloaded and held for its install window, which opens at <paramref name="opens"/> (null: no interval ahead).</summary>
    public static DeviceObservation Waiting(string device, long sequence, DateTimeOffset? opens) =>
        Report(device, sequence) with { AwaitingVersion = "2.0.0", WindowOpensAt = opens };

    public static DeviceObservation OnTrial(string device, long sequence) => Report(device, sequence, trial: "2.0.0", install: "installed");

    public static DeviceObservation Confirmed(string device, long sequence, string version = "2.0.0") =>
        Report(device, sequence, confirmed: version, install: "installed", lastTrial: (TrialReport.Passed, version, "3 probes passed"));

    /// <summary>A revert as a device reports it: verdict <c>failed</c> (the device's words, <see cref="TrialReport"/>).</summary>
    public static DeviceObservation Reverted(string device, long sequence) =>
        Report(device, sequence, install: "installed", lastTrial: (TrialReport.Failed, "2.0.0", "health probe failed: sensor stuck at 0"));

    public static IReadOnlyList<string> Offered(DeploymentState state) =>
        [.. state.Devices.Where(d => d.State is DeviceRolloutState.Offered or DeviceRolloutState.Trial).Select(d => d.DeviceId)];

    public static DeploymentState Feed(DeploymentState state, VirtualClock clock, params DeviceObservation[] reports)
    {
        foreach (var r in reports) state = RolloutEngine.Observe(state, r, clock.GetUtcNow()).State;
        return state;
    }
}
