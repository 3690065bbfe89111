using AtymSecure.Policies.Model;
using AtymSecure.Policies.Yaml;

namespace AtymSecure.Policies.Diff;

/// <summary>Deployment changes per group: what it may receive, which device classes it takes, its rollout constraints, maintenance windows and freezes.</summary>
internal static class DeploymentDiff
{
    public static IEnumerable<PolicyChange> Compare(PolicySet before, PolicySet after)
    {
        var b = before.Groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        var a = after.Groups.ToDictionary(g => g.Name, StringComparer.Ordinal);
        foreach (var name in b.Keys.Union(a.Keys).Order(StringComparer.Ordinal))
        {
            b.TryGetValue(name, out var old);
            a.TryGetValue(name, out var now);
            if (old is null)
                yield return W($"group `{name}` is new: it may receive {List(Alternatives(now!))} on {List(now!.DeviceClasses)}");
            else if (now is null)
                yield return N($"group `{name}` is removed: its devices receive nothing");
            else
                foreach (var c in Changed(old, now)) yield return c;
        }
    }

    private static PolicyChange W(string text) => new(PolicyArea.Deployment, ChangeEffect.Widens, text);

    private static PolicyChange N(string text) => new(PolicyArea.Deployment, ChangeEffect.Narrows, text);

    private static IEnumerable<string> Alternatives(DeploymentGroup g) => g.Containers.SelectMany(c => c.Alternatives).Distinct().Order(StringComparer.Ordinal);

    private static string List(IEnumerable<string> items) => string.Join(", ", items.Select(i => $"`{i}`"));

    private static IEnumerable<PolicyChange> Changed(DeploymentGroup old, DeploymentGroup now)
    {
        var g = $"group `{now.Name}`";
        var oldContainers = Alternatives(old).ToHashSet(StringComparer.Ordinal);
        var newContainers = Alternatives(now).ToHashSet(StringComparer.Ordinal);
        foreach (var c in newContainers.Except(oldContainers).Order(StringComparer.Ordinal)) yield return W($"{g} may now receive `{c}`");
        foreach (var c in oldContainers.Except(newContainers).Order(StringComparer.Ordinal)) yield return N($"{g} may no longer receive `{c}`");
        foreach (var c in now.DeviceClasses.Except(old.DeviceClasses).Order(StringComparer.Ordinal)) yield return W($"{g} now takes devices of class `{c}`");
        foreach (var c in old.DeviceClasses.Except(now.DeviceClasses).Order(StringComparer.Ordinal)) yield return N($"{g} no longer takes devices of class `{c}`");

        var (ro, rn) = (old.Rollout, now.Rollout);
        if (ro.MandatoryCanary && !rn.MandatoryCanary) yield return W($"{g} loses its mandatory canary");
        if (!ro.MandatoryCanary && rn.MandatoryCanary) yield return N($"{g} gains a mandatory canary");
        if (rn.MaxWavePercent > ro.MaxWavePercent) yield return W($"{g}'s largest wave grows from {ro.MaxWavePercent}% to {rn.MaxWavePercent}%");
        if (rn.MaxWavePercent < ro.MaxWavePercent) yield return N($"{g}'s largest wave shrinks from {ro.MaxWavePercent}% to {rn.MaxWavePercent}%");
        if (rn.MinSoak < ro.MinSoak) yield return W($"{g}'s minimum soak between waves shrinks from {PolicyScalars.FormatDuration(ro.MinSoak)} to {PolicyScalars.FormatDuration(rn.MinSoak)}");
        if (rn.MinSoak > ro.MinSoak) yield return N($"{g}'s minimum soak between waves grows from {PolicyScalars.FormatDuration(ro.MinSoak)} to {PolicyScalars.FormatDuration(rn.MinSoak)}");
        if (rn.HaltFailurePercent > ro.HaltFailurePercent) yield return W($"{g}'s rollouts halt only at {rn.HaltFailurePercent}% failed devices (was {ro.HaltFailurePercent}%)");
        if (rn.HaltFailurePercent < ro.HaltFailurePercent) yield return N($"{g}'s rollouts halt already at {rn.HaltFailurePercent}% failed devices (was {ro.HaltFailurePercent}%)");

        var oldWindows = old.MaintenanceWindows.Select(w => w.ToString()).ToHashSet(StringComparer.Ordinal);
        var newWindows = now.MaintenanceWindows.Select(w => w.ToString()).ToHashSet(StringComparer.Ordinal);
        if (oldWindows.Count > 0 && newWindows.Count == 0) yield return W($"{g} loses its maintenance windows: waves may start at any time");
        else if (oldWindows.Count == 0 && newWindows.Count > 0) yield return N($"{g} may start waves only in its maintenance windows ({string.Join("; ", newWindows.Order(StringComparer.Ordinal))})");
        else
        {
            foreach (var w in newWindows.Except(oldWindows).Order(StringComparer.Ordinal)) yield return W($"{g} gains the maintenance window {w}");
            foreach (var w in oldWindows.Except(newWindows).Order(StringComparer.Ordinal)) yield return N($"{g} loses the maintenance window {w}");
        }

        var oldFreezes = old.Freezes.ToDictionary(f => f.ToString(), StringComparer.Ordinal);
        var newFreezes = now.Freezes.ToDictionary(f => f.ToString(), StringComparer.Ordinal);
        foreach (var f in oldFreezes.Keys.Except(newFreezes.Keys).Order(StringComparer.Ordinal)) yield return W($"{g}'s freeze {f} ({oldFreezes[f].Reason}) is lifted");
        foreach (var f in newFreezes.Keys.Except(oldFreezes.Keys).Order(StringComparer.Ordinal)) yield return N($"{g} is frozen {f} ({newFreezes[f].Reason})");
    }
}
