using AtymSecure.Policies.Model;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Evaluation;

/// <summary>
/// The one evaluator every enforcement point and every tool calls (issue 15 §3 builds on it): trust, then for a
/// device its class, its group's deployment rules and the permissions the release asks for. Every check runs and is
/// listed in <see cref="Decision.Steps"/>; the first refusing one decides. Anything no rule covers is refused
/// (default deny), so a missing rule can never widen anything. Pure: the same set and request give the same decision.
/// </summary>
public static class PolicyEvaluator
{
    public const string TrustDefault = "trust/default-deny";
    public const string DeviceDefault = "device/default-deny";
    public const string DeploymentDefault = "deployment/default-deny";
    public const string PermissionDefault = "permission/default-deny";

    public static Decision Evaluate(PolicySet set, DecisionRequest request)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(request);
        var steps = new List<DecisionStep>();
        var trust = Trust(set, request.Release, steps);
        if (request.Device is { } device)
        {
            DeviceClass(set, device, steps);
            Deployment(set, request, device, steps);
            Permissions(set, request.Release, device, steps);
        }
        var refusal = steps.FirstOrDefault(s => !s.Passed);
        return refusal is not null
            ? new Decision(Verdict.Deny, refusal.Rule, refusal.At, refusal.Message, [.. steps], set.Digest)
            : new Decision(Verdict.Allow, trust.Rule, trust.At, trust.Message, [.. steps], set.Digest);
    }

    private static DecisionStep Trust(PolicySet set, ReleaseDescriptor release, List<DecisionStep> steps)
    {
        var rule = set.TrustRuleFor(release.Repository);
        DecisionStep step;
        if (rule is null)
        {
            step = new DecisionStep(TrustDefault, null, false, $"no trust rule's scope covers {release.Repository}");
        }
        else if (rule.Level == TrustLevel.Skip)
        {
            step = new DecisionStep($"trust/{rule.Name}", rule.At, true, $"scope {rule.Scope} is not verified (level skip)");
        }
        else
        {
            var keys = set.KeysOf(rule).ToList();
            var signedBy = keys.Where(k => release.Signers.Contains(k.SpkiSha256)).Select(k => k.Name).Distinct().ToList();
            var missing = rule.Attestations.Where(a => !release.Attestations.Contains(a)).ToList();
            var faults = new List<string>();
            if (signedBy.Count < rule.Threshold)
                faults.Add($"{signedBy.Count} of the {rule.Threshold} required signature{(rule.Threshold == 1 ? "" : "s")} by {string.Join(", ", rule.Keys)}");
            if (missing.Count > 0) faults.Add($"missing attestation{(missing.Count == 1 ? "" : "s")} {string.Join(", ", missing)}");
            var name = $"trust/{rule.Name}";
            step = faults.Count == 0
                ? new DecisionStep(name, rule.At, true, $"signed by {string.Join(", ", signedBy)} (threshold {rule.Threshold}) for scope {rule.Scope}{(rule.Attestations.Count > 0 ? $", attestations {string.Join(", ", rule.Attestations)} present" : "")}")
                : rule.Level == TrustLevel.Audit
                    ? new DecisionStep(name, rule.At, true, $"would be refused, allowed at level audit: {string.Join("; ", faults)}", AuditOnly: true)
                    : new DecisionStep(name, rule.At, false, $"{release.Repository}: {string.Join("; ", faults)}");
        }
        steps.Add(step);
        return step;
    }

    private static void DeviceClass(PolicySet set, DeviceDescriptor device, List<DecisionStep> steps)
    {
        var accepted = set.DeviceClasses.FirstOrDefault(c => c.Name == device.DeviceClass);
        if (accepted is null)
        {
            steps.Add(new DecisionStep(DeviceDefault, null, false, $"device class {device.DeviceClass} is not accepted by any device policy"));
            return;
        }
        var faults = new List<string>();
        if (device.RuntimeVersion.CompareTo(accepted.MinRuntimeVersion) < 0)
            faults.Add($"runtime {device.RuntimeVersion} is older than the minimum {accepted.MinRuntimeVersion}");
        if (!accepted.FlashProfiles.Contains(device.FlashProfile))
            faults.Add($"flash profile {device.FlashProfile} is not one of {string.Join(", ", accepted.FlashProfiles)}");
        steps.Add(new DecisionStep($"device/{accepted.Name}", accepted.At, faults.Count == 0,
            faults.Count == 0 ? $"class {accepted.Name} accepted (runtime {device.RuntimeVersion} ≥ {accepted.MinRuntimeVersion}, flash {device.FlashProfile})" : $"device {device.Id}: {string.Join("; ", faults)}"));
    }

    private static void Deployment(PolicySet set, DecisionRequest request, DeviceDescriptor device, List<DecisionStep> steps)
    {
        var group = set.Groups.FirstOrDefault(g => g.Name == device.Group);
        if (group is null)
        {
            steps.Add(new DecisionStep(DeploymentDefault, null, false, $"group {device.Group} is in no deployment policy"));
            return;
        }
        var release = request.Release;
        var faults = new List<(string Message, SourcePosition At)>();
        if (!group.DeviceClasses.Contains(device.DeviceClass))
            faults.Add(($"group {group.Name} does not take device class {device.DeviceClass} (only {string.Join(", ", group.DeviceClasses)})", group.At));
        if (!group.Containers.Any(c => c.Matches(release.Container)))
            faults.Add(($"group {group.Name} may not receive {release.Container} (only {string.Join(", ", group.Containers)})", group.At));
        if (request.At is { } at)
        {
            if (group.Freezes.FirstOrDefault(f => f.Contains(at)) is { } freeze)
                faults.Add(($"group {group.Name} is frozen {freeze} ({freeze.Reason})", freeze.At));
            if (group.MaintenanceWindows.Count > 0 && !group.MaintenanceWindows.Any(w => w.Contains(at)))
                faults.Add(($"{at:yyyy-MM-ddTHH:mm:ssZ} is outside group {group.Name}'s maintenance windows ({string.Join("; ", group.MaintenanceWindows)})", group.MaintenanceWindows[0].At));
        }
        if (request.Wave is { } wave)
        {
            var r = group.Rollout;
            if (r.MandatoryCanary && wave.Number == 1 && !wave.Canary)
                faults.Add(($"group {group.Name} needs a canary wave first", r.At));
            if (wave.Percent > r.MaxWavePercent)
                faults.Add(($"a wave of {wave.Percent}% exceeds group {group.Name}'s maximum of {r.MaxWavePercent}%", r.At));
            if (wave.Number > 1 && wave.Soaked < r.MinSoak)
                faults.Add(($"the previous wave soaked {Yaml.PolicyScalars.FormatDuration(wave.Soaked)}, group {group.Name} needs {Yaml.PolicyScalars.FormatDuration(r.MinSoak)}", r.At));
            if (wave.HaltFailurePercent is { } halt && halt > r.HaltFailurePercent)
                faults.Add(($"the rollout halts only at {halt}% failed, group {group.Name} needs a halt at {r.HaltFailurePercent}% or less", r.At));
        }
        steps.Add(faults.Count == 0
            ? new DecisionStep($"deployment/{group.Name}", group.At, true, $"group {group.Name} may receive {release.Container} on {device.DeviceClass}")
            : new DecisionStep($"deployment/{group.Name}", faults[0].At, false, string.Join("; ", faults.Select(f => f.Message))));
    }

    private static void Permissions(PolicySet set, ReleaseDescriptor release, DeviceDescriptor device, List<DecisionStep> steps)
    {
        var rules = set.PermissionRules.Where(r => r.Covers(release.Container, device.Group)).ToList();
        if (rules.Count == 0)
        {
            steps.Add(new DecisionStep(PermissionDefault, null, release.Permissions.Count == 0 && release.MaxMemoryBytes is null,
                $"no permission rule covers {release.Container} in group {device.Group}"));
            return;
        }
        var first = rules[0];
        foreach (var capability in release.Permissions)
        {
            var grant = rules.FirstOrDefault(r => r.Capabilities.Any(c => c.Covers(capability)));
            steps.Add(grant is not null
                ? new DecisionStep($"permission/{grant.Name}", grant.At, true, $"{capability} granted")
                : new DecisionStep($"permission/{first.Name}", first.At, false,
                    $"{release.Container} asks for {capability}, which no permission rule grants in group {device.Group} (rules that apply: {string.Join(", ", rules.Select(r => r.Name))})"));
        }
        Limit(rules, release.MaxMemoryBytes, r => r.MaxMemoryBytes, "memory", "bytes", steps);
        Limit(rules, release.CpuBudgetMs, r => r.MaxCpuBudgetMs, "CPU budget", "ms", steps);
    }

    private static void Limit(List<PermissionRule> rules, long? asked, Func<PermissionRule, long?> limitOf, string what, string unit, List<DecisionStep> steps)
    {
        if (asked is not { } value) return;
        var limited = rules.Where(r => limitOf(r) is not null).ToList();
        if (limited.Count == 0) return;
        var widest = limited.MaxBy(r => limitOf(r)!.Value)!;
        var max = limitOf(widest)!.Value;
        steps.Add(new DecisionStep($"permission/{widest.Name}", widest.At, value <= max,
            value <= max ? $"{what} {value} {unit} within {max}" : $"{what} {value} {unit} exceeds the most any rule allows, {max} {unit}"));
    }
}
