using System.Text.RegularExpressions;

namespace AtymSecure.OtaServer.Api;

/// <summary>Grammars of operator-chosen names: groups, tag keys and values, labels.</summary>
public static partial class Names
{
    public const int MaxGroups = 32;

    /// <summary>Group names and tag keys: lower case, digits, <c>.-_</c>, 1–64.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$", RegexOptions.CultureInvariant)]
    public static partial Regex Group();

    public static bool IsLabel(string? label) => label is { Length: > 0 and <= 100 } && !label.Any(char.IsControl);

    /// <summary>Checks a group list; throws a 400 naming the first bad entry.</summary>
    public static IReadOnlyList<string> Groups(IReadOnlyList<string>? groups, string path)
    {
        if (groups is null) return [];
        if (groups.Count > MaxGroups) throw Http.OperatorJson.Invalid(path, $"at most {MaxGroups} groups");
        for (var i = 0; i < groups.Count; i++)
            if (!Group().IsMatch(groups[i])) throw Http.OperatorJson.Invalid($"{path}[{i}]", $"'{Shorten(groups[i])}' is not a group name ([a-z0-9._-], 1-64)");
        return groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
