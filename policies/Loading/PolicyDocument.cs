using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;
using AtymSecure.Policies.Testing;

namespace AtymSecure.Policies.Loading;

/// <summary>One file read and checked on its own: its kind and, when it had no problems, what it says (exactly one of the contents).</summary>
public sealed record PolicyDocument(string File, string Kind)
{
    public TrustPolicy? Trust { get; init; }

    public DeploymentPolicy? Deployment { get; init; }

    public PermissionPolicy? Permission { get; init; }

    public DevicePolicy? Device { get; init; }

    public PolicyTestSuite? Test { get; init; }

    public ReleaseDescriptor? Release { get; init; }

    public DeviceDescriptor? DeviceDescriptor { get; init; }
}
