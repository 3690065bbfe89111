using System.Text.RegularExpressions;

namespace AtymSecure.Policies.Model;

/// <summary>
/// Which repositories a trust rule covers: one repository (<c>registry.example.com/samples/sensor-filter</c>), every
/// repository under a prefix (<c>registry.example.com/samples/*</c>) or all (<c>*</c>), as Notation's trust policy
/// scopes. The most specific wins: an exact repository over a prefix, a longer prefix over a shorter one, any of
/// them over <c>*</c>. Two scopes of equal rank that both match a repository are the same text, which the
/// validator refuses, so a decision never depends on the order of rules.
/// </summary>
public sealed partial record RepositoryScope
{
    private RepositoryScope(string text) => Text = text;

    public string Text { get; }

    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9]+([._-][a-z0-9]+)*)+$", RegexOptions.CultureInvariant)]
    public static partial Regex RepositoryGrammar();

    public bool IsAll => Text == "*";

    public bool IsPrefix => Text.EndsWith("/*", StringComparison.Ordinal);

    /// <summary>Higher is more specific; a match with a higher rank decides.</summary>
    public int Rank => IsAll ? 0 : IsPrefix ? Text.Length : int.MaxValue;

    public static string? Check(string text)
    {
        if (text == "*") return null;
        // A prefix may be a whole registry (host/*); a repository has at least one path segment.
        var repository = text.EndsWith("/*", StringComparison.Ordinal) ? text[..^2] + "/x" : text;
        return repository.Length <= 257 && RepositoryGrammar().IsMatch(repository)
            ? null
            : $"'{Shorten(text)}' is not a scope: write '*', a repository 'host/path', or a prefix 'host/path/*' or 'host/*' (lower case)";
    }

    public static RepositoryScope Parse(string text) =>
        Check(text) is { } error ? throw new FormatException(error) : new RepositoryScope(text);

    public bool Matches(string repository) =>
        IsAll || (IsPrefix ? repository.StartsWith(Text[..^1], StringComparison.Ordinal) : repository == Text);

    public override string ToString() => Text;

    private static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;
}
