using AtymSecure.Policies.Model;

namespace AtymSecure.Policies.Diff;

/// <summary>Device changes per class: accepted or not, the oldest runtime, the flash profiles.</summary>
internal static class DeviceDiff
{
    public static IEnumerable<PolicyChange> Compare(PolicySet before, PolicySet after)
    {
        var b = before.DeviceClasses.ToDictionary(c => c.Name, StringComparer.Ordinal);
        var a = after.DeviceClasses.ToDictionary(c => c.Name, StringComparer.Ordinal);
        foreach (var name in b.Keys.Union(a.Keys).Order(StringComparer.Ordinal))
        {
            b.TryGetValue(name, out var old);
            a.TryGetValue(name, out var now);
            var c = $"device class `{name}`";
            if (old is null)
            {
                yield return W($"{c} is accepted now (runtime ≥ {now!.MinRuntimeVersion}, flash {string.Join(", ", now.FlashProfiles)})");
                continue;
            }
            if (now is null)
            {
                yield return N($"{c} is no longer accepted");
                continue;
            }
            var order = now.MinRuntimeVersion.CompareTo(old.MinRuntimeVersion);
            if (order < 0) yield return W($"{c} accepts runtime {now.MinRuntimeVersion} and newer (was {old.MinRuntimeVersion})");
            if (order > 0) yield return N($"{c} needs runtime {now.MinRuntimeVersion} or newer (was {old.MinRuntimeVersion})");
            foreach (var p in now.FlashProfiles.Except(old.FlashProfiles).Order(StringComparer.Ordinal)) yield return W($"{c} accepts flash profile `{p}`");
            foreach (var p in old.FlashProfiles.Except(now.FlashProfiles).Order(StringComparer.Ordinal)) yield return N($"{c} no longer accepts flash profile `{p}`");
        }
    }

    private static PolicyChange W(string text) => new(PolicyArea.Device, ChangeEffect.Widens, text);

    private static PolicyChange N(string text) => new(PolicyArea.Device, ChangeEffect.Narrows, text);
}
