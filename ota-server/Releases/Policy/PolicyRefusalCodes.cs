namespace AtymSecure.OtaReleases.Policy;

/// <summary>
/// Problem codes of refusals by the serving policy set (docs/ota-server.md#policies), one per kind of policy that
/// decided: the deciding rule's prefix (<c>trust/</c>, <c>device/</c>, <c>deployment/</c>, <c>permission/</c>) picks it.
/// Never renamed or reused.
/// </summary>
public static class PolicyRefusalCodes
{
    public const string TrustDenied = "trust-policy-denied";
    public const string DeviceDenied = "device-policy-denied";
    public const string DeploymentDenied = "deployment-policy-denied";
    public const string PermissionDenied = "permission-policy-denied";

    /// <summary>Policies are configured but no good set was ever loaded: nothing they govern is allowed (503).</summary>
    public const string Unavailable = "policy-unavailable";

    public static string ForRule(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.StartsWith("trust/", StringComparison.Ordinal) ? TrustDenied
            : rule.StartsWith("device/", StringComparison.Ordinal) ? DeviceDenied
            : rule.StartsWith("permission/", StringComparison.Ordinal) ? PermissionDenied
            : DeploymentDenied;
    }
}
