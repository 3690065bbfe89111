using AtymSecure.Policies.Model;
using AtymSecure.Policies.Testing;
using AtymSecure.Policies.Yaml;
using AtymSecure.Primitives;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Loading;

/// <summary>
/// Reads one file: <c>apiVersion</c>, <c>kind</c>, <c>metadata.name</c> and the kind's <c>spec</c>. Every problem of
/// the file is reported at once, each with its path and position; the content is returned only when there is none.
/// Never throws for bad input. Cross-file rules (keys and groups named elsewhere) are <see cref="PolicySetLoader"/>'s.
/// </summary>
public static class PolicyDocumentReader
{
    public static PolicyDocument? Read(string file, ReadOnlySpan<byte> bytes, List<Problem> problems) => Read(file, bytes, problems, partial: false);

    /// <param name="partial">Also return what could be read from a file with problems, so checks across files still report on it (the loader; never used to decide).</param>
    internal static PolicyDocument? Read(string file, ReadOnlySpan<byte> bytes, List<Problem> problems, bool partial)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var before = problems.Count;
        if (PolicyYamlReader.Read(file, bytes, problems) is not { } root) return null;
        var context = new PolicyFileContext(file, problems);
        if (context.MapOf(root, "$") is not { } top) return null;

        var apiVersion = top.String("apiVersion", required: true);
        if (apiVersion is not null && apiVersion != PolicyKinds.ApiVersion)
            context.Add(UnsupportedApiVersion, "$.apiVersion", $"'{PolicyFileContext.Shorten(apiVersion)}' is not supported (this reader knows {PolicyKinds.ApiVersion})", top.Field("apiVersion")!);
        var kind = top.String("kind", required: true);
        if (kind is not null && !PolicyKinds.All.Contains(kind))
        {
            context.Add(UnknownKind, "$.kind", $"unknown kind '{PolicyFileContext.Shorten(kind)}' (known: {string.Join(", ", PolicyKinds.All)})", top.Field("kind")!);
            kind = null;
        }
        var metadata = top.Map("metadata", required: true);
        var name = metadata?.String("name", required: true) is { } n ? Name(metadata, "name", n) : null;
        metadata?.String("description", maxLength: 4096);
        metadata?.RejectUnknown();
        var spec = top.Map("spec", required: true);
        top.RejectUnknown();
        if (kind is null || spec is null) return null;

        var document = new PolicyDocument(file, kind);
        document = kind switch
        {
            PolicyKinds.Trust => document with { Trust = TrustPolicyReader.Read(spec, name ?? "", file) },
            PolicyKinds.Deployment => document with { Deployment = DeploymentPolicyReader.Read(spec, name ?? "", file) },
            PolicyKinds.Permission => document with { Permission = PermissionPolicyReader.Read(spec, name ?? "", file) },
            PolicyKinds.Device => document with { Device = DevicePolicyReader.Read(spec, name ?? "", file) },
            PolicyKinds.Test => document with { Test = PolicyTestReader.Read(spec, name ?? "", file) },
            PolicyKinds.Release => document with { Release = DescriptorReader.Release(spec) },
            _ => document with { DeviceDescriptor = DescriptorReader.Device(spec) },
        };
        return problems.Count == before || partial ? document : null;
    }

    /// <summary>A name field checked against the name grammar (reported as <c>invalid-name</c>).</summary>
    internal static string? Name(MapReader map, string key, string value)
    {
        if (PolicyScalars.CheckName(value) is not { } error) return value;
        map.Context.Add(InvalidName, map.FieldPath(key), error, map.Field(key)!);
        return null;
    }

    /// <summary>Reports a second item with the same identity (name, scope) in one list, pointing at both.</summary>
    internal static void Unique<T>(PolicyFileContext context, IEnumerable<T> items, Func<T, string?> key, Func<T, SourcePosition> at, string path, string what)
    {
        var seen = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (key(item) is not { } k) continue;
            if (!seen.TryAdd(k, at(item)))
                context.Add(Duplicate, path, $"{what} '{PolicyFileContext.Shorten(k)}' is defined twice (first at line {seen[k].Line})", at(item));
        }
    }
}
