using AtymSecure.Formats.Container;
using AtymSecure.Policies.Model;
using AtymSecure.Policies.Yaml;

namespace AtymSecure.Policies.Loading;

/// <summary>The <c>spec</c> of a <c>kind: PermissionPolicy</c> file: <c>rules</c> (name, containers, groups, capabilities, maxMemoryBytes, maxCpuBudgetMs).</summary>
internal static class PermissionPolicyReader
{
    public static PermissionPolicy Read(MapReader spec, string name, string file)
    {
        var rules = new List<PermissionRule>();
        foreach (var (node, path) in spec.List("rules", required: true, minItems: 1))
            if (spec.Context.MapOf(node, path) is { } r && Rule(r) is { } rule) rules.Add(rule);
        PolicyDocumentReader.Unique(spec.Context, rules, r => r.Name, r => r.At, spec.FieldPath("rules"), "rule");
        spec.RejectUnknown();
        return new PermissionPolicy(name, [.. rules], file);
    }

    private static PermissionRule? Rule(MapReader r)
    {
        var before = r.Context.Problems.Count;
        var name = r.String("name", required: true) is { } n ? PolicyDocumentReader.Name(r, "name", n) : null;
        var containers = DeploymentPolicyReader.Containers(r, "containers");
        var groups = r.Strings("groups", required: true, minItems: 1, check: g => g == "*" ? null : PolicyScalars.CheckName(g));
        var capabilities = new List<CapabilityPattern>();
        foreach (var (text, _) in r.Strings("capabilities", required: true, check: c => CapabilityPattern.TryParse(c, out _, out var error) ? null : error, maxItems: 256))
        {
            CapabilityPattern.TryParse(text, out var pattern, out _);
            capabilities.Add(pattern!);
        }
        var memory = r.Integer("maxMemoryBytes", ContainerConfigValidator.MinMemoryBytes, ContainerConfigValidator.MaxMemoryBytes);
        var cpu = r.Integer("maxCpuBudgetMs", ContainerConfigValidator.MinCpuBudgetMs, ContainerConfigValidator.MaxCpuBudgetMs);
        r.RejectUnknown();
        return name is not null && r.Context.Problems.Count == before
            ? new PermissionRule(name, [.. containers], [.. groups.Select(g => g.Value)], [.. capabilities], memory, (int?)cpu, r.Position)
            : null;
    }
}
