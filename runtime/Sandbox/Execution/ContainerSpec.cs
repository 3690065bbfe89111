using AtymSecure.Formats.Container;
using AtymSecure.Runtime.Artifacts;
using AtymSecure.Runtime.Blobs;
using AtymSecure.Runtime.Permissions;

namespace AtymSecure.Runtime.Execution;

/// <summary>
/// Everything needed to run one container version: its config, its verified code, the grants from the
/// signed deployment metadata and its verified blobs. <see cref="IsTrial"/> marks a version the
/// bootloader booted on trial (it must pass its health trial to be confirmed).
/// </summary>
public sealed record ContainerSpec(ContainerConfig Config, VerifiedArtifact Code, GrantedPermissions Grants, BlobSet Blobs)
{
    public string Name => Config.Name;

    public string Version => Config.Version?.ToString() ?? "0.0.0";

    public bool IsTrial { get; init; }

    /// <summary>Deployment overrides of <see cref="ContainerConfig.Variables"/>.</summary>
    public IReadOnlyDictionary<string, string> VariableOverrides { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, string> Variables
    {
        get
        {
            var all = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (k, v) in Config.Variables) all[k] = v;
            foreach (var (k, v) in VariableOverrides) all[k] = v;
            return all;
        }
    }
}
