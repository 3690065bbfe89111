using System.Text.RegularExpressions;

namespace AtymSecure.Formats.UpdateMetadata.Model;

/// <summary>
/// Grammars for the names metadata carries, checked on read so a name can never escape its folder or URL: role
/// names, target paths and delegation path patterns. Plus the per-file counts (keys, signatures, roles, targets)
/// that bound work on top of the byte caps.
/// </summary>
public static partial class MetadataNames
{
    public const int MaxKeys = 64;
    public const int MaxSignatures = 32;
    public const int MaxKeyIdsPerRole = 32;
    public const int MaxThreshold = 32;
    public const int MaxDelegatedRoles = 256;
    public const int MaxPathPatterns = 64;
    public const int MaxTargetPathLength = 512;

    public static readonly IReadOnlySet<string> TopLevelRoles = new HashSet<string>(StringComparer.Ordinal) { "root", "targets", "snapshot", "timestamp" };

    /// <summary>Delegated role names: <c>vendor-acme</c>, <c>compiler-linux-x86_64</c>; they become file names (<c>V.NAME.json</c>).</summary>
    public static bool IsRoleName(string name) => RoleNameGrammar().IsMatch(name) && !TopLevelRoles.Contains(name);

    /// <summary>
    /// A relative path of non-empty segments of printable ASCII other than <c>\</c>; no <c>.</c> or <c>..</c> segment,
    /// no leading dot in a segment (minimatch and fnmatch treat those differently).
    /// </summary>
    public static bool IsTargetPath(string path) =>
        path.Length is > 0 and <= MaxTargetPathLength && TargetPathGrammar().IsMatch(path);

    /// <summary>
    /// A delegation path pattern: target-path characters plus <c>*</c> and <c>?</c>. Brackets, braces and <c>!</c> are
    /// refused because fnmatch (python-tuf) and minimatch (tuf-js) read them differently.
    /// </summary>
    public static bool IsPathPattern(string pattern) =>
        pattern.Length is > 0 and <= MaxTargetPathLength && PathPatternGrammar().IsMatch(pattern);

    public static bool IsHashPrefix(string prefix) => prefix.Length is > 0 and <= 64 && TufKey.IsLowerHex(prefix);

    public static bool IsKeyId(string id) => id.Length == 64 && TufKey.IsLowerHex(id);

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleNameGrammar();

    [GeneratedRegex(@"^[A-Za-z0-9_+=@~:,-][A-Za-z0-9._+=@~:,-]*(/[A-Za-z0-9_+=@~:,-][A-Za-z0-9._+=@~:,-]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex TargetPathGrammar();

    [GeneratedRegex(@"^[A-Za-z0-9_+=@~:,*?-][A-Za-z0-9._+=@~:,*?-]*(/[A-Za-z0-9_+=@~:,*?-][A-Za-z0-9._+=@~:,*?-]*)*$", RegexOptions.CultureInvariant)]
    private static partial Regex PathPatternGrammar();
}
