using System.Diagnostics.CodeAnalysis;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.Bundle;

/// <summary>
/// Which containers a trusted bundle key may sign for (docs/trust-model.md §2): a glob over container names where
/// <c>*</c> matches any run (also none) of <c>[a-z0-9._-]</c>, <c>?</c> exactly one such character, and a comma
/// separates alternatives (<c>acme-*,legacy-app</c>). Every other character matches itself and must be one of
/// <c>[a-z0-9._-]</c>, so a pattern never contains a path separator, space or upper-case letter. The same grammar
/// serves a vendor delegation's <c>sources/&lt;pattern&gt;/*/module.wasm</c> paths (issue 13), so a verified delegation
/// can produce one. Compares by its text (which fixes the alternatives and their order).
/// </summary>
public sealed record ContainerNamePattern
{
    public const int MaxLength = 256;
    public const int MaxAlternatives = 32;

    /// <summary>Every container: the default of compiler and recovery keys; a vendor key must write it out.</summary>
    public static readonly ContainerNamePattern Any = new("*", ["*"]);

    private const string Rule = "a pattern is comma-separated alternatives of [a-z0-9._-], '*' (any run of them) and '?' (one of them)";

    private ContainerNamePattern(string text, EquatableList<string> alternatives)
    {
        Text = text;
        Alternatives = alternatives;
    }

    /// <summary>The pattern as written, e.g. <c>acme-*,legacy-app</c>.</summary>
    public string Text { get; }

    public EquatableList<string> Alternatives { get; }

    /// <exception cref="ProblemException">Not a pattern (code <see cref="TrustAnchorProblemCodes.InvalidPattern"/>).</exception>
    public static ContainerNamePattern Parse(string? text, string path = "pattern") =>
        TryParse(text, path, out var pattern, out var problem) ? pattern : throw new ProblemException("container-name pattern", problem);

    /// <param name="path">Where the text came from (<c>--trust</c>, <c>keys[2].pattern</c>), for the problem.</param>
    public static bool TryParse(string? text, string path, [NotNullWhen(true)] out ContainerNamePattern? pattern, [NotNullWhen(false)] out Problem? problem)
    {
        ArgumentNullException.ThrowIfNull(path);
        pattern = null;
        problem = Check(text, path);
        if (problem is not null) return false;
        pattern = text == Any.Text ? Any : new ContainerNamePattern(text!, [.. text!.Split(',')]);
        return true;
    }

    private static Problem? Check(string? text, string path)
    {
        Problem Bad(string why) => new(TrustAnchorProblemCodes.InvalidPattern, path, $"{why}; {Rule}");
        if (string.IsNullOrEmpty(text)) return Bad("empty");
        // Bounded before anything else looks at it, and never echoed whole.
        if (text.Length > MaxLength) return Bad($"{text.Length} characters, at most {MaxLength}");
        var alternatives = text.Split(',');
        if (alternatives.Length > MaxAlternatives) return Bad($"{alternatives.Length} alternatives, at most {MaxAlternatives}");
        foreach (var alternative in alternatives)
        {
            if (alternative.Length == 0) return Bad($"'{text}' has an empty alternative");
            foreach (var c in alternative)
                if (!IsNameCharacter(c) && c is not ('*' or '?'))
                    return Bad($"'{text}' has '{(char.IsControl(c) || char.IsWhiteSpace(c) ? $"\\u{(int)c:x4}" : c.ToString())}'");
        }
        return null;
    }

    /// <summary>Whether <paramref name="containerName"/> matches one of the alternatives.</summary>
    public bool Matches(string? containerName)
    {
        if (string.IsNullOrEmpty(containerName) || containerName.Length > MaxLength) return false;
        foreach (var alternative in Alternatives)
            if (Glob(alternative, containerName)) return true;
        return false;
    }

    /// <summary>
    /// Set-of-positions matching (no backtracking, so no pattern takes more than |pattern|·|name| steps): after each
    /// pattern character, <c>reach[i]</c> says whether the first i name characters can be matched so far.
    /// </summary>
    private static bool Glob(string pattern, string name)
    {
        var reach = new bool[name.Length + 1];
        var next = new bool[name.Length + 1];
        reach[0] = true;
        foreach (var p in pattern)
        {
            Array.Clear(next);
            for (var i = 0; i <= name.Length; i++)
            {
                next[i] = p == '*' && (reach[i] || (i > 0 && next[i - 1] && IsNameCharacter(name[i - 1])));
                if (i > 0 && reach[i - 1] && p != '*')
                    next[i] = p == '?' ? IsNameCharacter(name[i - 1]) : name[i - 1] == p;
            }
            (reach, next) = (next, reach);
        }
        return reach[name.Length];
    }

    private static bool IsNameCharacter(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-';

    public override string ToString() => Text;

    public bool Equals(ContainerNamePattern? other) => other is not null && string.Equals(Text, other.Text, StringComparison.Ordinal);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Text);
}
