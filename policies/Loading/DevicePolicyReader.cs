using AtymSecure.Formats.Container;
using AtymSecure.Policies.Model;
using AtymSecure.Policies.Yaml;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Loading;

/// <summary>The <c>spec</c> of a <c>kind: DevicePolicy</c> file: <c>classes</c> (name, minRuntimeVersion, flashProfiles).</summary>
internal static class DevicePolicyReader
{
    public static DevicePolicy Read(MapReader spec, string name, string file)
    {
        var classes = new List<AcceptedDeviceClass>();
        foreach (var (node, path) in spec.List("classes", required: true, minItems: 1))
        {
            if (spec.Context.MapOf(node, path) is not { } c) continue;
            var before = spec.Context.Problems.Count;
            var className = c.String("name", required: true);
            if (className is not null && DeploymentPolicyReader.CheckDeviceClass(className) is { } error)
                spec.Context.Add(UnknownDeviceClass, c.FieldPath("name"), error, c.Field("name")!);
            var runtime = Version(c, "minRuntimeVersion", required: true);
            var profiles = c.Strings("flashProfiles", required: true, minItems: 1, check: PolicyScalars.CheckName, maxItems: 64);
            c.RejectUnknown();
            if (spec.Context.Problems.Count == before)
                classes.Add(new AcceptedDeviceClass(className!, runtime!, [.. profiles.Select(p => p.Value)], c.Position));
        }
        PolicyDocumentReader.Unique(spec.Context, classes, c => c.Name, c => c.At, spec.FieldPath("classes"), "device class");
        spec.RejectUnknown();
        return new DevicePolicy(name, [.. classes], file);
    }

    internal static SemanticVersion? Version(MapReader map, string key, bool required)
    {
        if (map.String(key, required, SemanticVersion.MaxLength) is not { } text) return null;
        if (SemanticVersion.TryParse(text, out var version, out var error)) return version;
        map.Context.Add(InvalidValue, map.FieldPath(key), $"'{PolicyFileContext.Shorten(text)}' is not a semantic version: {error}", map.Field(key)!);
        return null;
    }
}
