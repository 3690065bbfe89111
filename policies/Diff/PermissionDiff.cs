using AtymSecure.Formats.Container;
using AtymSecure.Policies.Model;

namespace AtymSecure.Policies.Diff;

/// <summary>
/// Permission changes per container pattern and group: the union of the capabilities every rule grants it and the
/// largest memory and CPU limits. How the grants are split into rules or files does not matter; a capability that a
/// broader remaining one still covers (<c>publish:telemetry/temp</c> under <c>publish:telemetry/*</c>) is no change.
/// </summary>
internal static class PermissionDiff
{
    private sealed record Grant(List<CapabilityPattern> Capabilities, long? Memory, bool MemoryUnbounded, int? Cpu, bool CpuUnbounded);

    public static IEnumerable<PolicyChange> Compare(PolicySet before, PolicySet after)
    {
        var b = Grants(before);
        var a = Grants(after);
        foreach (var key in b.Keys.Union(a.Keys).OrderBy(k => k.Container, StringComparer.Ordinal).ThenBy(k => k.Group, StringComparer.Ordinal))
        {
            var where = key.Group == "*" ? "in every group" : $"in group `{key.Group}`";
            var who = key.Container == "*" ? "every container" : $"`{key.Container}`";
            b.TryGetValue(key, out var old);
            a.TryGetValue(key, out var now);
            var oldCaps = old?.Capabilities ?? [];
            var newCaps = now?.Capabilities ?? [];
            foreach (var c in newCaps.Where(c => !oldCaps.Any(c.IsWithin)))
                yield return W($"{who} may now {Wording(c)} {where}");
            foreach (var c in oldCaps.Where(c => !newCaps.Any(c.IsWithin)))
                yield return N($"{who} may no longer {Wording(c)} {where}");
            foreach (var c in Limit(who, where, "memory", "bytes", old?.Memory, old is null || old.MemoryUnbounded, now?.Memory, now is not null && now.MemoryUnbounded, old is null, now is null))
                yield return c;
            foreach (var c in Limit(who, where, "CPU budget", "ms", old?.Cpu, old is null || old.CpuUnbounded, now?.Cpu, now is not null && now.CpuUnbounded, old is null, now is null))
                yield return c;
        }
    }

    private static PolicyChange W(string text) => new(PolicyArea.Permission, ChangeEffect.Widens, text);

    private static PolicyChange N(string text) => new(PolicyArea.Permission, ChangeEffect.Narrows, text);

    private static IEnumerable<PolicyChange> Limit(string who, string where, string what, string unit, long? old, bool oldUnbounded, long? now, bool nowUnbounded, bool wasAbsent, bool isAbsent)
    {
        if (wasAbsent || isAbsent)
        {
            // A new or vanished grant: its capabilities said it; a limit is only worth a line when it is set.
            if (wasAbsent && !isAbsent && now is { } n) yield return W($"{who} may use up to {n} {unit} of {what} {where}");
            yield break;
        }
        if (oldUnbounded == nowUnbounded && old == now) yield break;
        if (nowUnbounded) yield return W($"{who} has no {what} limit {where} any more (was {old} {unit})");
        else if (oldUnbounded) yield return N($"{who} may use at most {now} {unit} of {what} {where} (no limit before)");
        else if (now > old) yield return W($"{who} may use up to {now} {unit} of {what} {where} (was {old})");
        else yield return N($"{who} may use at most {now} {unit} of {what} {where} (was {old})");
    }

    private static Dictionary<(string Container, string Group), Grant> Grants(PolicySet set)
    {
        var grants = new Dictionary<(string, string), Grant>();
        foreach (var rule in set.PermissionRules)
            foreach (var container in rule.Containers.SelectMany(c => c.Alternatives))
                foreach (var group in rule.Groups)
                {
                    var key = (container, group);
                    var g = grants.TryGetValue(key, out var existing) ? existing : new Grant([], null, false, null, false);
                    var caps = g.Capabilities.Concat(rule.Capabilities).Distinct().ToList();
                    grants[key] = new Grant(
                        caps,
                        Max(g.Memory, rule.MaxMemoryBytes),
                        g.MemoryUnbounded || rule.MaxMemoryBytes is null,
                        (int?)Max(g.Cpu, rule.MaxCpuBudgetMs),
                        g.CpuUnbounded || rule.MaxCpuBudgetMs is null);
                }
        // The narrowest description of the same grant: drop capabilities another one of the same grant covers.
        foreach (var key in grants.Keys.ToList())
        {
            var caps = grants[key].Capabilities;
            grants[key] = grants[key] with { Capabilities = [.. caps.Where(c => !caps.Any(o => !o.Equals(c) && c.IsWithin(o))).OrderBy(c => c.ToString(), StringComparer.Ordinal)] };
        }
        return grants;
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    /// <summary>"publish to topic `telemetry/temp`", "read sensor `temp0`": what holding the capability lets a container do.</summary>
    internal static string Wording(CapabilityPattern c) => c.Kind switch
    {
        CapabilityKind.Log => "write to the log",
        CapabilityKind.Clock => "read the clock",
        CapabilityKind.Random => "draw random numbers",
        CapabilityKind.Kv => "use the key-value store",
        CapabilityKind.Sensor => $"read sensor `{c.Argument}`",
        CapabilityKind.Gpio => $"use GPIO line `{c.Argument}`",
        CapabilityKind.Publish => $"publish to topic `{c.Argument}`",
        CapabilityKind.Subscribe => $"subscribe to topic `{c.Argument}`",
        _ => $"read blob `{c.Argument}`",
    };
}
