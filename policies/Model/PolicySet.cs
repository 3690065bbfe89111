using AtymSecure.Primitives;

namespace AtymSecure.Policies.Model;

/// <summary>
/// Every policy of a folder, checked together: what the evaluator decides with and the diff compares.
/// <see cref="Digest"/> covers the policy files' paths and bytes (not tests or descriptors), so each decision can
/// name the exact set that made it.
/// </summary>
public sealed record PolicySet(
    EquatableList<TrustPolicy> Trust,
    EquatableList<DeploymentPolicy> Deployment,
    EquatableList<PermissionPolicy> Permission,
    EquatableList<DevicePolicy> Device,
    Digest Digest)
{
    public IEnumerable<TrustKey> Keys => Trust.SelectMany(t => t.Keys);

    public IEnumerable<TrustRule> TrustRules => Trust.SelectMany(t => t.Rules);

    /// <summary>The trust rule that decides for <paramref name="repository"/> (the most specific scope covering it), or null.</summary>
    public TrustRule? TrustRuleFor(string repository) =>
        TrustRules.Where(r => r.Scope.Matches(repository)).MaxBy(r => r.Scope.Rank);

    /// <summary>The keys <paramref name="rule"/> names (the loader guarantees each is defined).</summary>
    public IEnumerable<TrustKey> KeysOf(TrustRule rule) => rule.Keys.Select(name => Keys.First(k => k.Name == name));

    public IEnumerable<DeploymentGroup> Groups => Deployment.SelectMany(d => d.Groups);

    public IEnumerable<PermissionRule> PermissionRules => Permission.SelectMany(p => p.Rules);

    public IEnumerable<AcceptedDeviceClass> DeviceClasses => Device.SelectMany(d => d.Classes);
}
