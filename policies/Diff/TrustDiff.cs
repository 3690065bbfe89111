using AtymSecure.Policies.Model;

namespace AtymSecure.Policies.Diff;

/// <summary>Trust changes per scope: which keys may sign it, how many signatures and attestations it needs, at which level; and scopes that appear, vanish or fall under a broader rule.</summary>
internal static class TrustDiff
{
    public static IEnumerable<PolicyChange> Compare(PolicySet before, PolicySet after)
    {
        var b = before.TrustRules.ToDictionary(r => r.Scope.Text, StringComparer.Ordinal);
        var a = after.TrustRules.ToDictionary(r => r.Scope.Text, StringComparer.Ordinal);
        foreach (var scope in b.Keys.Union(a.Keys).Order(StringComparer.Ordinal))
        {
            b.TryGetValue(scope, out var old);
            a.TryGetValue(scope, out var now);
            if (old is null) foreach (var c in Added(after, now!)) yield return c;
            else if (now is null) foreach (var c in Removed(before, after, old)) yield return c;
            else foreach (var c in Changed(before, after, old, now)) yield return c;
        }
    }

    private static PolicyChange W(string text) => new(PolicyArea.Trust, ChangeEffect.Widens, text);

    private static PolicyChange N(string text) => new(PolicyArea.Trust, ChangeEffect.Narrows, text);

    /// <summary>The keys of a rule by public key (SPKI SHA-256), each with its name in that set.</summary>
    private static Dictionary<string, string> KeysOf(PolicySet set, TrustRule rule) =>
        rule.Level == TrustLevel.Skip ? [] : set.KeysOf(rule).ToDictionary(k => k.SpkiSha256, k => k.Name, StringComparer.Ordinal);

    internal static string Key(string name, string sha) => $"key `{name}` (sha256 {sha[..12]}…)";

    private static IEnumerable<PolicyChange> Added(PolicySet set, TrustRule rule)
    {
        if (rule.Level == TrustLevel.Skip)
        {
            yield return W($"releases from `{rule.Scope}` are accepted without any signature (new rule `{rule.Name}`, level skip)");
            yield break;
        }
        foreach (var (sha, name) in KeysOf(set, rule).OrderBy(k => k.Value, StringComparer.Ordinal))
            yield return W($"{Key(name, sha)} gains the right to sign `{rule.Scope}`{Needs(rule)}");
        if (rule.Level == TrustLevel.Audit)
            yield return W($"`{rule.Scope}` is only audited (rule `{rule.Name}`): releases that fail it pass with a warning");
    }

    private static string Needs(TrustRule rule) =>
        (rule.Threshold > 1 ? $" ({rule.Threshold} signatures needed)" : "")
        + (rule.Attestations.Count > 0 ? $" with attestations {string.Join(", ", rule.Attestations)}" : "");

    private static IEnumerable<PolicyChange> Removed(PolicySet before, PolicySet after, TrustRule rule)
    {
        // Without its own rule, the scope falls to the most specific remaining one that covers it, if any.
        var probe = rule.Scope.IsPrefix ? rule.Scope.Text[..^1] + "x" : rule.Scope.IsAll ? null : rule.Scope.Text;
        var fallback = probe is null ? null : after.TrustRules.Where(r => r.Scope.Matches(probe)).MaxBy(r => r.Scope.Rank);
        if (fallback is not null)
        {
            var old = KeysOf(before, rule);
            foreach (var (sha, name) in KeysOf(after, fallback).Where(k => !old.ContainsKey(k.Key)).OrderBy(k => k.Value, StringComparer.Ordinal))
                yield return W($"{Key(name, sha)} gains the right to sign `{rule.Scope}`: its rule `{rule.Name}` is removed and `{fallback.Scope}` (rule `{fallback.Name}`) covers it now");
            foreach (var c in Changed(before, after, rule, fallback).Where(c => !c.Text.Contains("gains the right", StringComparison.Ordinal)))
                yield return c with { Text = c.Text.Replace($"`{fallback.Scope}`", $"`{rule.Scope}` (now under `{fallback.Scope}`)", StringComparison.Ordinal) };
            yield break;
        }
        foreach (var (sha, name) in KeysOf(before, rule).OrderBy(k => k.Value, StringComparer.Ordinal))
            yield return N($"{Key(name, sha)} loses the right to sign `{rule.Scope}`");
        yield return N($"`{rule.Scope}` has no trust rule any more: its releases are refused (rule `{rule.Name}` removed)");
    }

    private static IEnumerable<PolicyChange> Changed(PolicySet before, PolicySet after, TrustRule old, TrustRule now)
    {
        var scope = now.Scope;
        if (old.Level != now.Level)
        {
            if (now.Level == TrustLevel.Skip) yield return W($"`{scope}` is no longer verified (level {Level(old.Level)} → skip)");
            else if (old.Level == TrustLevel.Skip) yield return N($"`{scope}` is verified again (level skip → {Level(now.Level)})");
            else if (now.Level == TrustLevel.Audit) yield return W($"`{scope}` is only audited now (enforce → audit): releases that fail it pass with a warning");
            else yield return N($"`{scope}` is enforced now (audit → enforce)");
        }
        if (now.Level == TrustLevel.Skip || old.Level == TrustLevel.Skip)
        {
            if (old.Level == TrustLevel.Skip && now.Level != TrustLevel.Skip)
                foreach (var (sha, name) in KeysOf(after, now)) yield return N($"only {Key(name, sha)} and the other listed keys may sign `{scope}`");
            yield break;
        }
        var oldKeys = KeysOf(before, old);
        var newKeys = KeysOf(after, now);
        foreach (var (sha, name) in newKeys.Where(k => !oldKeys.ContainsKey(k.Key)).OrderBy(k => k.Value, StringComparer.Ordinal))
            yield return W($"{Key(name, sha)} gains the right to sign `{scope}`");
        foreach (var (sha, name) in oldKeys.Where(k => !newKeys.ContainsKey(k.Key)).OrderBy(k => k.Value, StringComparer.Ordinal))
            yield return N($"{Key(name, sha)} loses the right to sign `{scope}`");
        if (now.Threshold < old.Threshold) yield return W($"`{scope}` needs {now.Threshold} signature{(now.Threshold == 1 ? "" : "s")} instead of {old.Threshold}");
        if (now.Threshold > old.Threshold) yield return N($"`{scope}` needs {now.Threshold} signatures instead of {old.Threshold}");
        foreach (var gone in old.Attestations.Except(now.Attestations)) yield return W($"`{scope}` no longer requires the {gone} attestation");
        foreach (var added in now.Attestations.Except(old.Attestations)) yield return N($"`{scope}` now requires the {added} attestation");
    }

    private static string Level(TrustLevel level) => level.ToString().ToLowerInvariant();
}
