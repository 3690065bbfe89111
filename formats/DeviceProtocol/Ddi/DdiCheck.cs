using System.Text.RegularExpressions;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// Collects every problem of one DDI message while its records check themselves (each adds what is wrong at its JSON
/// path and goes on), so <c>Validate</c> reports all of them at once. System.Text.Json leaves a missing member null even
/// in a non-nullable position, so "required" is checked here, not trusted from the type.
/// </summary>
public sealed partial class DdiCheck
{
    private readonly List<Problem> _problems = [];

    public IReadOnlyList<Problem> Problems => _problems;

    public void Add(string code, string path, string message) => _problems.Add(new Problem(code, path, message));

    /// <summary>False (and a problem) when <paramref name="value"/> is null.</summary>
    public bool Present(object? value, string path)
    {
        if (value is not null) return true;
        Add(DdiProblemCodes.Required, path, "required");
        return false;
    }

    /// <summary>A required text of 1..<paramref name="maxLength"/> characters, matching <paramref name="grammar"/> when given.</summary>
    public void Text(string? value, string path, int maxLength, Regex? grammar = null, string? expected = null)
    {
        if (!Present(value, path)) return;
        OptionalText(value, path, maxLength, grammar, expected);
    }

    /// <summary>Like <see cref="Text"/>, but null is fine.</summary>
    public void OptionalText(string? value, string path, int maxLength, Regex? grammar = null, string? expected = null)
    {
        if (value is null) return;
        if (value.Length == 0) Add(DdiProblemCodes.Invalid, path, "empty");
        else if (value.Length > maxLength) Add(DdiProblemCodes.TooMany, path, $"{value.Length} characters, at most {maxLength}");
        else if (grammar is not null && !grammar.IsMatch(value)) Add(DdiProblemCodes.Invalid, path, $"'{Shorten(value)}' is not {expected}");
    }

    /// <summary>A list of at most <paramref name="max"/> entries, none null; checks each with <paramref name="each"/>.</summary>
    public void List<T>(IReadOnlyList<T>? items, string path, int max, Action<T, string> each, bool required = true)
    {
        if (items is null)
        {
            if (required) Add(DdiProblemCodes.Required, path, "required");
            return;
        }
        if (items.Count > max)
        {
            Add(DdiProblemCodes.TooMany, path, $"{items.Count} entries, at most {max}");
            return;
        }
        for (var i = 0; i < items.Count; i++)
            if (Present(items[i], $"{path}[{i}]")) each(items[i], $"{path}[{i}]");
    }

    /// <summary>An absolute http(s) link of at most <see cref="DdiLink.MaxHrefLength"/> characters.</summary>
    public void Link(DdiLink? link, string path, bool required)
    {
        if (link is null)
        {
            if (required) Add(DdiProblemCodes.Required, path, "required");
            return;
        }
        var href = path + ".href";
        if (!Present(link.Href, href)) return;
        if (link.Href.Length > DdiLink.MaxHrefLength) Add(DdiProblemCodes.TooMany, href, $"{link.Href.Length} characters, at most {DdiLink.MaxHrefLength}");
        else if (!Uri.TryCreate(link.Href, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.UserInfo.Length > 0)
            Add(DdiProblemCodes.Invalid, href, $"'{Shorten(link.Href)}' is not an absolute http(s) URL without user info");
    }

    /// <summary>Action ids: what hawkBit sends (a Java long as decimal text) and what our server issues.</summary>
    [GeneratedRegex("^[0-9]{1,19}$", RegexOptions.CultureInvariant)]
    public static partial Regex ActionIdGrammar();

    /// <summary>Controller ids (hawkBit: at most 256 characters; no slash, so one path segment).</summary>
    [GeneratedRegex("^[A-Za-z0-9._:~-]{1,256}$", RegexOptions.CultureInvariant)]
    public static partial Regex ControllerIdGrammar();

    /// <summary>Artifact file names: one path segment, no leading dot (no <c>..</c>), printable.</summary>
    [GeneratedRegex("^[A-Za-z0-9_+@=,-][A-Za-z0-9._+@=,-]{0,254}$", RegexOptions.CultureInvariant)]
    public static partial Regex FileNameGrammar();

    [GeneratedRegex("^[0-9a-f]{40}$", RegexOptions.CultureInvariant)]
    public static partial Regex Sha1Grammar();

    [GeneratedRegex("^[0-9a-f]{32}$", RegexOptions.CultureInvariant)]
    public static partial Regex Md5Grammar();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    public static partial Regex Sha256Grammar();

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
