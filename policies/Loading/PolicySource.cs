using AtymSecure.Primitives;
using static AtymSecure.Policies.PolicyProblemCodes;

namespace AtymSecure.Policies.Loading;

/// <summary>One file of a policy folder: its path relative to the folder (forward slashes), the name problems print, its bytes.</summary>
public sealed record PolicySourceFile(string RelativePath, string DisplayPath, byte[] Content);

/// <summary>
/// The YAML files (<c>*.yaml</c>, <c>*.yml</c>, any depth, hidden folders left out) of a policy folder on disk, in
/// ordinal order of their relative paths, under the limits of <see cref="Yaml.PolicyLimits"/> (file count, total
/// bytes, each file's bytes before it is read whole).
/// </summary>
public static class PolicySource
{
    public static IReadOnlyList<PolicySourceFile> FromFolder(string folder, List<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(folder);
        ArgumentNullException.ThrowIfNull(problems);
        if (!Directory.Exists(folder))
        {
            problems.Add(new Problem(Required, "$", $"policy folder '{folder}' does not exist", new SourcePosition(folder, 1, 1)));
            return [];
        }
        var root = Path.GetFullPath(folder);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(rel => !rel.Split('/').Any(part => part.StartsWith('.')))
            .Order(StringComparer.Ordinal)
            .ToList();
        return Bounded(files, rel => Path.Combine(folder, rel), rel => new FileInfo(Path.Combine(root, rel)).Length, rel => File.ReadAllBytes(Path.Combine(root, rel)), folder, problems);
    }

    /// <summary>Applies the count and size limits to files listed by any source (a folder, a git revision).</summary>
    internal static IReadOnlyList<PolicySourceFile> Bounded(
        IReadOnlyList<string> relativePaths, Func<string, string> display, Func<string, long> length, Func<string, byte[]> read, string origin, List<Problem> problems)
    {
        if (relativePaths.Count > Yaml.PolicyLimits.MaxFiles)
        {
            problems.Add(new Problem(TooManyFiles, "$", $"{relativePaths.Count} policy files, at most {Yaml.PolicyLimits.MaxFiles}", new SourcePosition(origin, 1, 1)));
            return [];
        }
        var result = new List<PolicySourceFile>();
        long total = 0;
        foreach (var rel in relativePaths)
        {
            var size = length(rel);
            var shown = display(rel);
            if (size > Yaml.PolicyLimits.MaxFileBytes)
            {
                problems.Add(new Problem(FileTooLarge, "$", $"{size} bytes, at most {Yaml.PolicyLimits.MaxFileBytes}", new SourcePosition(shown, 1, 1)));
                continue;
            }
            total += size;
            if (total > Yaml.PolicyLimits.MaxSetBytes)
            {
                problems.Add(new Problem(SetTooLarge, "$", $"the policy files exceed {Yaml.PolicyLimits.MaxSetBytes} bytes together", new SourcePosition(shown, 1, 1)));
                return [];
            }
            result.Add(new PolicySourceFile(rel, shown, read(rel)));
        }
        return result;
    }
}
