using AtymSecure.Formats.Bundle;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Model;

/// <summary>
/// The most containers matching <see cref="Containers"/> may be granted on devices of <see cref="Groups"/>
/// (deployment group names, or <c>*</c> for every group): capabilities, memory and CPU. A release may hold what
/// the union of the rules that match it grants; the limits are the largest any of them allows.
/// </summary>
public sealed record PermissionRule(
    string Name,
    EquatableList<ContainerNamePattern> Containers,
    EquatableList<string> Groups,
    EquatableList<CapabilityPattern> Capabilities,
    long? MaxMemoryBytes,
    int? MaxCpuBudgetMs,
    SourcePosition At)
{
    public bool Covers(string container, string group) =>
        Containers.Any(c => c.Matches(container)) && Groups.Any(g => g == "*" || g == group);
}

/// <summary>A <c>kind: PermissionPolicy</c> file (docs/schemas/permission-policy.v1.schema.json).</summary>
public sealed record PermissionPolicy(string Name, EquatableList<PermissionRule> Rules, string File);
