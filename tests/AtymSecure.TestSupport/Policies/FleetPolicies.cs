using System.Text;

namespace AtymSecure.TestSupport.Policies;

/// <summary>A deployment group of <see cref="FleetPolicies.Deployment"/>: containers and classes as YAML flow lists' items, and an optional rollout block.</summary>
public sealed record FleetGroup(string Name, string Containers, string DeviceClasses = "linux-x86_64", FleetRollout? Rollout = null);

/// <summary>A group's rollout constraints (docs/policies.md, DeploymentPolicy).</summary>
public sealed record FleetRollout(bool MandatoryCanary, int MaxWavePercent, string MinSoak, int HaltFailurePercent);

/// <summary>A rule of <see cref="FleetPolicies.Permissions"/>: containers, groups and capabilities as YAML flow lists' items (quote <c>"*"</c> and patterns).</summary>
public sealed record FleetPermission(string Name, string Containers, string Groups, string Capabilities, long? MaxMemoryBytes = null);

/// <summary>
/// The one policy set the OTA, rollout and end-to-end tests write (issue 15): the fleet's vocabulary in one place, so
/// a test states only what it is about. Trust: key <c>vendor</c> (by SPKI SHA-256) signs scope <c>…/samples/*</c> as
/// rule <c>samples</c>; devices: classes with a minimum runtime and flash profiles; deployment: named groups; permissions:
/// named rules. Each method returns a file's text (so a test can edit it, or find a line with <see cref="LineOf"/>);
/// <see cref="Write"/> puts a set into a folder under the file names every test uses.
/// </summary>
public static class FleetPolicies
{
    public const string TrustFile = "trust.yaml";
    public const string DevicesFile = "devices.yaml";
    public const string DeploymentFile = "deployment.yaml";
    public const string PermissionsFile = "permissions.yaml";

    /// <summary>Rule <c>samples</c>: <paramref name="scope"/> signed by key <c>vendor</c>, with the attestations named (none: no line).</summary>
    public static string Trust(string vendorSpkiSha256, string scope, params string[] attestations)
    {
        ArgumentException.ThrowIfNullOrEmpty(vendorSpkiSha256);
        ArgumentException.ThrowIfNullOrEmpty(scope);
        var text = new StringBuilder($"""
            apiVersion: policy.atym.dev/v1
            kind: TrustPolicy
            metadata:
              name: fleet
            spec:
              keys:
                - name: vendor
                  spkiSha256: {vendorSpkiSha256}
              rules:
                - name: samples
                  scope: {scope}
                  keys: [vendor]

            """);
        if (attestations.Length > 0) text.Append($"      attestations: [{string.Join(", ", attestations)}]\n");
        return text.ToString();
    }

    /// <summary>Every class in <paramref name="classes"/> (default linux-x86_64) accepted from <paramref name="minRuntimeVersion"/> on flash <paramref name="flashProfiles"/>.</summary>
    public static string Devices(string minRuntimeVersion, string flashProfiles, params string[] classes)
    {
        var text = Header("DevicePolicy", "classes");
        foreach (var name in classes.Length == 0 ? ["linux-x86_64"] : classes)
            text.Append($"    - name: {name}\n      minRuntimeVersion: {minRuntimeVersion}\n      flashProfiles: [{flashProfiles}]\n");
        return text.ToString();
    }

    public static string Deployment(params FleetGroup[] groups)
    {
        var text = Header("DeploymentPolicy", "groups");
        foreach (var g in groups)
        {
            text.Append($"    - name: {g.Name}\n      deviceClasses: [{g.DeviceClasses}]\n      containers: [{g.Containers}]\n");
            if (g.Rollout is { } r)
                text.Append($"      rollout:\n        mandatoryCanary: {(r.MandatoryCanary ? "true" : "false")}\n        maxWavePercent: {r.MaxWavePercent}\n" +
                    $"        minSoak: {r.MinSoak}\n        haltFailurePercent: {r.HaltFailurePercent}\n");
        }
        return text.ToString();
    }

    public static string Permissions(params FleetPermission[] rules)
    {
        var text = Header("PermissionPolicy", "rules");
        foreach (var r in rules)
        {
            text.Append($"    - name: {r.Name}\n      containers: [{r.Containers}]\n      groups: [{r.Groups}]\n      capabilities: [{r.Capabilities}]\n");
            if (r.MaxMemoryBytes is { } memory) text.Append($"      maxMemoryBytes: {memory}\n");
        }
        return text.ToString();
    }

    /// <summary>A policy file's first lines up to <c>spec.LIST:</c>, the list's items to follow indented by four spaces.</summary>
    private static StringBuilder Header(string kind, string list) =>
        new($"apiVersion: policy.atym.dev/v1\nkind: {kind}\nmetadata:\n  name: fleet\nspec:\n  {list}:\n");

    /// <summary>Writes the given files into <paramref name="folder"/> (created) under the fleet's file names; a null text writes no file.</summary>
    public static void Write(string folder, string? trust = null, string? devices = null, string? deployment = null, string? permissions = null)
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, text) in new[] { (TrustFile, trust), (DevicesFile, devices), (DeploymentFile, deployment), (PermissionsFile, permissions) })
            if (text is not null) File.WriteAllText(Path.Combine(folder, name), text);
    }

    /// <summary>The 1-based line of <paramref name="text"/>'s first line holding <paramref name="needle"/> (what a decision's position cites).</summary>
    public static int LineOf(string text, string needle)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf(needle, StringComparison.Ordinal);
        if (at < 0) throw new ArgumentException($"'{needle}' is not in the policy text", nameof(needle));
        return text[..at].Count(c => c == '\n') + 1;
    }
}
