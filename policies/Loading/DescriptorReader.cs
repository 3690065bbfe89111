using AtymSecure.Formats.Container;
using AtymSecure.Policies.Evaluation;
using AtymSecure.Policies.Model;
using AtymSecure.Policies.Yaml;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Loading;

/// <summary>The <c>spec</c> of <c>kind: Release</c> and <c>kind: Device</c> files, and the same mappings inline in policy test cases.</summary>
public static class DescriptorReader
{
    public static ReleaseDescriptor? Release(MapReader spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var context = spec.Context;
        var before = context.Problems.Count;
        var repository = spec.String("repository", required: true, maxLength: 255);
        if (repository is not null && !RepositoryScope.RepositoryGrammar().IsMatch(repository))
            context.Add(InvalidValue, spec.FieldPath("repository"), $"'{PolicyFileContext.Shorten(repository)}' is not a repository (host/path, lower case)", spec.Field("repository")!);
        var container = spec.String("container");
        if (container is not null && ContainerName.Check(container, spec.FieldPath("container")) is { } nameProblem)
            context.Add(InvalidName, nameProblem.Path, nameProblem.Message, spec.Field("container")!);
        var version = DevicePolicyReader.Version(spec, "version", required: true);
        var signers = spec.Strings("signers", check: PolicyScalars.CheckSha256Hex, maxItems: 64);
        var attestations = spec.Strings("attestations", check: a => AttestationKinds.All.Contains(a) ? null : $"'{PolicyFileContext.Shorten(a)}' is not an attestation kind ({string.Join(", ", AttestationKinds.All)})");
        var permissions = spec.Strings("permissions", check: p => Capability.TryParse(p, out _, out var error) ? null : error, maxItems: ContainerConfigValidator.MaxPermissions);
        var memory = spec.Integer("maxMemoryBytes", 0, ContainerConfigValidator.MaxMemoryBytes);
        var cpu = spec.Integer("cpuBudgetMs", 0, ContainerConfigValidator.MaxCpuBudgetMs);
        spec.RejectUnknown();
        if (context.Problems.Count != before) return null;
        return new ReleaseDescriptor(
            repository!,
            container ?? repository![(repository!.LastIndexOf('/') + 1)..],
            version!,
            [.. signers.Select(s => s.Value)],
            [.. attestations.Select(a => a.Value)],
            [.. permissions.Select(p => Capability.Parse(p.Value))],
            memory,
            (int?)cpu);
    }

    public static DeviceDescriptor? Device(MapReader spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var context = spec.Context;
        var before = context.Problems.Count;
        var id = spec.String("id", required: true, maxLength: 128);
        var deviceClass = spec.String("class", required: true);
        if (deviceClass is not null && DeploymentPolicyReader.CheckDeviceClass(deviceClass) is { } error)
            context.Add(UnknownDeviceClass, spec.FieldPath("class"), error, spec.Field("class")!);
        var group = spec.String("group", required: true) is { } g ? PolicyDocumentReader.Name(spec, "group", g) : null;
        var runtime = DevicePolicyReader.Version(spec, "runtimeVersion", required: true);
        var flash = spec.String("flashProfile", required: true) is { } f ? PolicyDocumentReader.Name(spec, "flashProfile", f) : null;
        spec.RejectUnknown();
        return context.Problems.Count == before ? new DeviceDescriptor(id!, deviceClass!, group!, runtime!, flash!) : null;
    }
}
