using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Service;

/// <summary>
/// An operator rollback (docs/trust-model.md §7): a new deployment, to the devices that took the release (confirmed
/// or on trial), of a release of the previous code whose security counter is at or above the fleet's floor for the
/// container — the counter of the release being rolled back once any device confirmed it. The previous release is the
/// one given, else the release of the version most of those devices ran before. It goes to all of them at once
/// (forced: no window waits), with the rolled-back deployment's timeout and retries and no halt rule, and the
/// planner cuts it as a delta from the image they run. A previous release below the floor is refused
/// (<c>rollback-below-floor</c>): its code has to be imported again as a release with a counter at the floor.
/// </summary>
public static class RollbackPlanner
{
    public static DeploymentSpec Plan(DeploymentState state, IReadOnlyList<Release> releasesOfContainer, string? releaseId, string id, DateTimeOffset now, string createdBy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(releasesOfContainer);
        var took = state.Devices.Where(d => d.Wave >= 0 && d.State is DeviceRolloutState.Succeeded or DeviceRolloutState.Trial).ToList();
        if (took.Count == 0)
            throw new OtaProblemException(409, RolloutProblemCodes.NothingToRollBack, "id", $"no device of {state.Id} took {state.Spec.Version}; nothing to roll back");
        var target = releasesOfContainer.FirstOrDefault(r => r.Id == state.Spec.ReleaseId);
        Release? previous;
        if (releaseId is not null)
            previous = releasesOfContainer.FirstOrDefault(r => r.Id == releaseId)
                ?? throw new OtaProblemException(404, RolloutProblemCodes.NoRollbackRelease, "$.releaseId", $"no release '{releaseId}' of {state.Spec.Container}");
        else
        {
            var version = took.Where(d => d.FromVersion is not null && d.FromVersion != state.Spec.Version).GroupBy(d => d.FromVersion!)
                .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).FirstOrDefault()?.Key
                ?? throw new OtaProblemException(409, RolloutProblemCodes.NoRollbackRelease, "id", $"the devices of {state.Id} ran no earlier version of {state.Spec.Container}");
            previous = releasesOfContainer.Where(r => r.Version == version).OrderByDescending(r => r.SecurityCounter).ThenByDescending(r => r.ImportedAt).FirstOrDefault()
                ?? throw new OtaProblemException(409, RolloutProblemCodes.NoRollbackRelease, "id", $"no release of {state.Spec.Container} {version} is recorded");
        }
        var floor = took.Any(d => d.State == DeviceRolloutState.Succeeded) ? target?.SecurityCounter ?? 0 : 0;
        if (previous.SecurityCounter < floor)
            throw new OtaProblemException(409, RolloutProblemCodes.RollbackBelowFloor, "$.releaseId",
                $"{previous.Container} {previous.Version} ({previous.Id}) has security counter {previous.SecurityCounter}, below the fleet's floor {floor}: " +
                $"import its code again as a release with security counter {floor}");
        var s = state.Spec;
        return new DeploymentSpec(id, previous.Id, previous.Container, previous.Version,
            new TargetSet([], EquatableMap<string>.Empty, null, new EquatableList<string>(took.Select(d => d.DeviceId))), TargetingMode.Snapshot,
            new RolloutPlan(0, [new WaveStep(null, 100)], TimeSpan.Zero), new HaltRule(null, null, 0), s.DeviceTimeout, s.Retry,
            RollbackOnHalt: false, Forced: true, RequiresApproval: false, Via: [], s.MaxConcurrentDownloads, null, null, s.TimeZone, [], now, createdBy, RollbackOf: s.Id);
    }
}
