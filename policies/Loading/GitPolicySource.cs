using System.Diagnostics;
using AtymSecure.Primitives;

namespace AtymSecure.Policies.Loading;

/// <summary>
/// The policy files of a folder as committed at a git revision (<c>atym policy diff --git REV1 REV2</c>), read with
/// <c>git ls-tree</c> and <c>git cat-file</c> without touching the work tree.
/// </summary>
public static class GitPolicySource
{
    /// <param name="repository">Any folder inside the work tree.</param>
    /// <param name="folder">The policy folder, relative to the repository root.</param>
    public static IReadOnlyList<PolicySourceFile> FromRevision(string repository, string revision, string folder, List<Problem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentException.ThrowIfNullOrEmpty(revision);
        if (revision.StartsWith('-')) throw new ArgumentException($"'{revision}' is not a revision", nameof(revision));
        var prefix = folder.Trim('/').Replace('\\', '/');
        var origin = $"{revision}:{prefix}";
        var listing = Git(repository, "ls-tree", "-r", "-l", "--full-tree", revision, "--", prefix.Length == 0 ? "." : prefix);
        var entries = new Dictionary<string, (string Blob, long Size)>(StringComparer.Ordinal);
        foreach (var line in listing.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // <mode> blob <sha> <size>\t<path>
            var tab = line.IndexOf('\t', StringComparison.Ordinal);
            var fields = line[..tab].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var path = line[(tab + 1)..];
            if (fields[1] != "blob" || !(path.EndsWith(".yaml", StringComparison.Ordinal) || path.EndsWith(".yml", StringComparison.Ordinal))) continue;
            var rel = prefix.Length == 0 ? path : path[(prefix.Length + 1)..];
            if (rel.Split('/').Any(part => part.StartsWith('.'))) continue;
            entries[rel] = (fields[2], long.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture));
        }
        var ordered = entries.Keys.Order(StringComparer.Ordinal).ToList();
        return PolicySource.Bounded(ordered, rel => $"{revision}:{(prefix.Length == 0 ? rel : $"{prefix}/{rel}")}", rel => entries[rel].Size,
            rel => GitBytes(repository, "cat-file", "blob", entries[rel].Blob), origin, problems);
    }

    /// <summary>The top folder of the git work tree <paramref name="repository"/> is in.</summary>
    public static string Top(string repository) => Git(repository, "rev-parse", "--show-toplevel").Trim();

    private static string Git(string repository, params string[] args) => System.Text.Encoding.UTF8.GetString(GitBytes(repository, args));

    private static byte[] GitBytes(string repository, params string[] args)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = repository };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("git could not be started");
        var stderr = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed in {repository} (exit {process.ExitCode}): {stderr.Result.Trim()}");
        return output.ToArray();
    }
}
