using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Service;

/// <summary>
/// An operator rollback (docs/trust-model.md §7): a new deployment, to the devices that took the release (confirmed
/// or on trial), of the previous code with a security counter at the fleet's floor for the container — the counter of
/// the release being rolled back once any of those devices confirmed it (their highest confirmed counter: a device
/// confirms only at or above its floor). The previous code is the release given, else the release of the version most
/// of those devices ran before. <see cref="Choose"/> picks it and the floor; when its counter is below the floor the
/// service re-releases it at the floor (<see cref="OtaReleases.Import.ReleaseRecounter"/>), since devices refuse a
/// counter below their floor (<c>counter-rollback</c>). <see cref="Plan"/> then sends that release to all of them at
/// once (forced: no window waits), with the rolled-back deployment's timeout and retries and no halt rule; the
/// desired-state planner cuts it as a delta from the image each device runs.
/// </summary>
public static class RollbackPlanner
{
    public static RollbackChoice Choose(DeploymentState state, IReadOnlyList<Release> releasesOfContainer, string? releaseId)
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
        return new RollbackChoice(previous, Math.Max(floor, previous.SecurityCounter), new EquatableList<string>(took.Select(d => d.DeviceId)));
    }

    /// <param name="release">The release to send: <see cref="RollbackChoice.Previous"/>, or its re-release at <see cref="RollbackChoice.Floor"/>.</param>
    public static DeploymentSpec Plan(DeploymentState state, RollbackChoice choice, Release release, string id, DateTimeOffset now, string createdBy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(choice);
        ArgumentNullException.ThrowIfNull(release);
        if (release.SecurityCounter < choice.Floor || release.ManifestDigest != choice.Previous.ManifestDigest)
            throw new ArgumentException($"{release.Id} is not {choice.Previous.Id}'s code at counter {choice.Floor} or above", nameof(release));
        var s = state.Spec;
        return new DeploymentSpec(id, release.Id, release.Container, release.Version,
            new TargetSet([], EquatableMap<string>.Empty, null, choice.Devices), TargetingMode.Snapshot,
            new RolloutPlan(0, [new WaveStep(null, 100)], TimeSpan.Zero), new HaltRule(null, null, 0), s.DeviceTimeout, s.Retry,
            RollbackOnHalt: false, Forced: true, RequiresApproval: false, Via: [], s.MaxConcurrentDownloads, null, null, s.TimeZone, [], now, createdBy, RollbackOf: s.Id);
    }
}

/// <summary>What a rollback sends where: the previous code's release, the floor counter it must carry, the devices that took the release.</summary>
public sealed record RollbackChoice(Release Previous, ulong Floor, EquatableList<string> Devices)
{
    /// <summary>The previous release's counter is below the floor: devices would refuse it, so it is re-released at the floor.</summary>
    public bool NeedsRerelease => Previous.SecurityCounter < Floor;
}
