using System.Text;
using AtymSecure.Policies.Model;
using AtymSecure.Policies.Testing;
using AtymSecure.Primitives;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Loading;

/// <summary>What a policy folder holds once read: the policy set (null when any file has a problem), its tests, its descriptors, and every problem.</summary>
public sealed record PolicyFolder(
    PolicySet? Set,
    IReadOnlyList<PolicyTestSuite> Tests,
    IReadOnlyList<PolicyDocument> Documents,
    IReadOnlyList<Problem> Problems,
    int FileCount)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// Reads every file of a policy folder (<see cref="PolicySource"/>) and checks them together: names unique across
/// files, every key a trust rule names defined by some trust policy, every group a permission rule names defined by
/// some deployment policy. All problems of all files are reported at once.
/// </summary>
public static class PolicySetLoader
{
    public static PolicyFolder LoadFolder(string folder)
    {
        var problems = new List<Problem>();
        var files = PolicySource.FromFolder(folder, problems);
        return Load(files, problems);
    }

    public static PolicyFolder LoadRevision(string repository, string revision, string folder)
    {
        var problems = new List<Problem>();
        var files = GitPolicySource.FromRevision(repository, revision, folder, problems);
        return Load(files, problems);
    }

    public static PolicyFolder Load(IReadOnlyList<PolicySourceFile> files, List<Problem>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        problems ??= [];
        var documents = new List<PolicyDocument>();
        foreach (var file in files)
            if (PolicyDocumentReader.Read(file.DisplayPath, file.Content, problems, partial: true) is { } document) documents.Add(document);

        var trust = documents.Select(d => d.Trust).OfType<TrustPolicy>().ToList();
        var deployment = documents.Select(d => d.Deployment).OfType<DeploymentPolicy>().ToList();
        var permission = documents.Select(d => d.Permission).OfType<PermissionPolicy>().ToList();
        var device = documents.Select(d => d.Device).OfType<DevicePolicy>().ToList();
        CheckAcrossFiles(trust, deployment, permission, device, problems);

        var policyKinds = PolicyKinds.Policies;
        var policyFiles = files.Where(f => documents.Any(d => d.File == f.DisplayPath && policyKinds.Contains(d.Kind))).ToList();
        var set = problems.Count == 0
            ? new PolicySet([.. trust], [.. deployment], [.. permission], [.. device], DigestOf(policyFiles))
            : null;
        return new PolicyFolder(set, [.. documents.Select(d => d.Test).OfType<PolicyTestSuite>()], documents, problems, files.Count);
    }

    private static Digest DigestOf(IEnumerable<PolicySourceFile> files)
    {
        using var buffer = new MemoryStream();
        foreach (var f in files.OrderBy(f => f.RelativePath, StringComparer.Ordinal))
        {
            var header = Encoding.UTF8.GetBytes($"{f.RelativePath}\0{f.Content.Length}\0");
            buffer.Write(header);
            buffer.Write(f.Content);
        }
        return Digest.Compute(buffer.ToArray());
    }

    private static void CheckAcrossFiles(List<TrustPolicy> trust, List<DeploymentPolicy> deployment, List<PermissionPolicy> permission, List<DevicePolicy> device, List<Problem> problems)
    {
        void Unique<T>(IEnumerable<T> items, Func<T, string> key, Func<T, SourcePosition> at, string what)
        {
            var seen = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
            foreach (var item in items)
                if (!seen.TryAdd(key(item), at(item)) && seen[key(item)].File != at(item).File)
                    problems.Add(new Problem(Duplicate, "$.spec", $"{what} '{key(item)}' is also defined in {seen[key(item)]}", at(item)));
        }

        Unique(trust.SelectMany(t => t.Keys), k => k.Name, k => k.At, "key");
        Unique(trust.SelectMany(t => t.Keys), k => k.SpkiSha256, k => k.At, "the public key of");
        Unique(trust.SelectMany(t => t.Rules), r => r.Name, r => r.At, "trust rule");
        Unique(trust.SelectMany(t => t.Rules), r => r.Scope.Text, r => r.At, "trust scope");
        Unique(deployment.SelectMany(d => d.Groups), g => g.Name, g => g.At, "group");
        Unique(permission.SelectMany(p => p.Rules), r => r.Name, r => r.At, "permission rule");
        Unique(device.SelectMany(d => d.Classes), c => c.Name, c => c.At, "device class");

        var keys = trust.SelectMany(t => t.Keys).Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var rule in trust.SelectMany(t => t.Rules))
            foreach (var key in rule.Keys.Where(k => !keys.Contains(k)))
                problems.Add(new Problem(UnknownKey, "$.spec.rules", $"rule '{rule.Name}' names key '{key}', which no trust policy defines (known: {Known(keys)})", rule.At));

        var groups = deployment.SelectMany(d => d.Groups).Select(g => g.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var rule in permission.SelectMany(p => p.Rules))
            foreach (var group in rule.Groups.Where(g => g != "*" && !groups.Contains(g)))
                problems.Add(new Problem(UnknownGroup, "$.spec.rules", $"rule '{rule.Name}' names group '{group}', which no deployment policy defines (known: {Known(groups)})", rule.At));
    }

    private static string Known(IEnumerable<string> names) => names.Any() ? string.Join(", ", names.Order(StringComparer.Ordinal)) : "none";
}
