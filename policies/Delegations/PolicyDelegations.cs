using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Policies.Keys;
using AtymSecure.Policies.Model;
using AtymSecure.Primitives;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Delegations;

/// <summary>The vendor delegations a trust policy implies, in the order the device must try them, with what it left out and why.</summary>
public sealed record DerivedDelegations(EquatableList<VendorDelegation> Delegations, EquatableList<string> Notes, IReadOnlyList<Problem> Problems)
{
    public bool IsValid => Problems.Count == 0;

    /// <summary>What <c>atym tuf delegations --from-policy</c> prints: one line per delegation in order, then the notes.</summary>
    public string Format() =>
        string.Concat(Delegations.Select((d, i) => $"{i + 1}. {d}\n")) + string.Concat(Notes.Select(n => $"note: {n}\n"));
}

/// <summary>
/// Derives the image repository's vendor delegations (what a production device trusts for sources, docs/trust-model.md
/// §2, §3 step 10) from the reviewed trust policy, so that nobody types them by hand (issue 15 §3, device).
/// <list type="bullet">
/// <item>Each trust rule at level enforce or audit becomes role <c>vendor-RULE</c>: its keys, its threshold, terminating.
/// A device has no audit level: it always enforces the keys.</item>
/// <item>The device names containers without their registry or repository path, so a scope becomes a container glob by
/// its last segment: <c>host/samples/sensor-filter</c> → <c>sensor-filter</c>; a prefix (<c>host/samples/*</c>) or
/// <c>*</c> → <c>*</c>. Two rules that reach the same glob with different keys or thresholds are a conflict
/// (<c>delegation-conflict</c>): the device could not tell them apart.</item>
/// <item>Delegations are ordered most specific first (the evaluator's rank: exact scopes, then longer prefixes), so the
/// device's first-match, terminating search picks the rule the policy would.</item>
/// <item>Left out, with a note: level skip (nothing to verify: the device then falls through to the next matching
/// delegation or refuses), and rules whose keys are all compiler keys (named <c>compiler-…</c>, the trust model's
/// role): compiled images are listed under <c>compiler-CLASS</c> with the server's online key
/// (<c>atym tuf add-delegation --compiler</c>). Attestations are not part of a delegation; the registry and the OTA
/// server check them.</item>
/// </list>
/// Keys are found in the keys folder by the fingerprint the policy writes; a key without a file is <c>key-file-missing</c>.
/// </summary>
public static class PolicyDelegations
{
    public const string CompilerKeyPrefix = "compiler-";

    public static DerivedDelegations Derive(PolicySet set, PolicyKeyFolder keys)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(keys);
        var delegations = new List<VendorDelegation>();
        var notes = new List<string>();
        var problems = new List<Problem>();
        foreach (var rule in set.TrustRules.OrderByDescending(r => r.Scope.Rank).ThenBy(r => r.Name, StringComparer.Ordinal))
        {
            if (rule.Level == TrustLevel.Skip)
            {
                notes.Add($"trust/{rule.Name} ({rule.At}): level skip, no delegation");
                continue;
            }
            var ruleKeys = set.KeysOf(rule).ToList();
            if (ruleKeys.All(k => k.Name.StartsWith(CompilerKeyPrefix, StringComparison.Ordinal)))
            {
                notes.Add($"trust/{rule.Name} ({rule.At}): compiler keys only, delegated per device class by atym tuf add-delegation --compiler");
                continue;
            }
            var tufKeys = new List<TufKey>();
            var names = new List<string>();
            foreach (var key in ruleKeys)
            {
                if (keys.Find(key) is { } found)
                {
                    tufKeys.Add(TufKey.From(found));
                    names.Add(key.Name);
                }
                else problems.Add(new Problem(KeyFileMissing, $"trust/{rule.Name}", $"key {key.Name} ({key.SpkiSha256}) has no .pub file in the keys folder", key.At));
            }
            var glob = ContainerGlobOf(rule.Scope);
            var delegation = new VendorDelegation(rule.Name, $"trust/{rule.Name}", rule.At, [.. names], [.. tufKeys], rule.Threshold, [glob]);
            if (!MetadataNames.IsRoleName(delegation.Role) || !MetadataNames.IsPathPattern(delegation.Paths[0]))
            {
                problems.Add(new Problem(InvalidValue, $"trust/{rule.Name}", $"scope {rule.Scope} gives role {delegation.Role} and path {delegation.Paths[0]}, which TUF metadata cannot carry", rule.At));
                continue;
            }
            if (delegations.FirstOrDefault(d => d.ContainerGlobs.SequenceEqual(delegation.ContainerGlobs)) is { } earlier)
            {
                if (!earlier.KeyIds.SequenceEqual(delegation.KeyIds) || earlier.Threshold != delegation.Threshold)
                    problems.Add(new Problem(DelegationConflict, $"trust/{rule.Name}",
                        $"trust/{rule.Name} and {earlier.Rule} ({earlier.At}) both reach devices as containers '{glob}' with different keys or thresholds; a device names containers without their repository", rule.At));
                else
                    notes.Add($"trust/{rule.Name} ({rule.At}): same containers, keys and threshold as {earlier.Rule}, covered by {earlier.Role}");
                continue;
            }
            delegations.Add(delegation);
        }
        notes.Add("attestations are checked by the registry and the OTA server; a delegation carries keys and thresholds only");
        return new DerivedDelegations([.. delegations], [.. notes], problems);
    }

    /// <summary>The container glob a device sees for a scope: the last segment of a repository, else every container.</summary>
    public static string ContainerGlobOf(RepositoryScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return scope.IsAll || scope.IsPrefix ? "*" : scope.Text[(scope.Text.LastIndexOf('/') + 1)..];
    }
}
