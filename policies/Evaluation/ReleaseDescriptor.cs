using AtymSecure.Formats.Container;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Evaluation;

/// <summary>
/// What a release is, as an enforcement point knows it after verifying it: where it comes from, the keys whose
/// signatures verified (<see cref="Signers"/>, SPKI SHA-256 hex), the attestations that verified, and what its
/// container config asks for (permissions, memory, CPU). Written by hand as a <c>kind: Release</c> file for
/// <c>atym policy explain</c> and in policy tests.
/// </summary>
public sealed record ReleaseDescriptor(
    string Repository,
    string Container,
    SemanticVersion Version,
    EquatableList<string> Signers,
    EquatableList<string> Attestations,
    EquatableList<Capability> Permissions,
    long? MaxMemoryBytes,
    int? CpuBudgetMs);

/// <summary>The device a release would go to: its class and group, the runtime it runs and its flash profile.</summary>
public sealed record DeviceDescriptor(string Id, string DeviceClass, string Group, SemanticVersion RuntimeVersion, string FlashProfile);

/// <summary>
/// The rollout wave a release would go out in: its number (1 is the first), a canary wave or not, its share of the
/// group, how long the previous wave soaked, and (when the enforcement point knows it) the failed share of a wave that
/// halts the rollout (a rollout that never halts on a share: 100).
/// </summary>
public sealed record RolloutWave(int Number, bool Canary, int Percent, TimeSpan Soaked, int? HaltFailurePercent = null);

/// <summary>
/// One question to the evaluator. Without a device only trust is decided (release import, a protected tag);
/// without a time, freezes and maintenance windows are not looked at; without a wave, the rollout constraints.
/// </summary>
public sealed record DecisionRequest(ReleaseDescriptor Release, DeviceDescriptor? Device = null, DateTimeOffset? At = null, RolloutWave? Wave = null);
