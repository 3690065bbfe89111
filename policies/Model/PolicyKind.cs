namespace AtymSecure.Policies.Model;

/// <summary>The kinds of policy file (<c>kind:</c>), and the inputs and tests that sit beside them.</summary>
public static class PolicyKinds
{
    public const string ApiVersion = "policy.atym.dev/v1";
    public const string Trust = "TrustPolicy";
    public const string Deployment = "DeploymentPolicy";
    public const string Permission = "PermissionPolicy";
    public const string Device = "DevicePolicy";
    public const string Test = "PolicyTest";
    public const string Release = "Release";
    public const string DeviceDescriptor = "Device";

    public static readonly IReadOnlyList<string> Policies = [Trust, Deployment, Permission, Device];

    public static readonly IReadOnlyList<string> All = [Trust, Deployment, Permission, Device, Test, Release, DeviceDescriptor];
}
