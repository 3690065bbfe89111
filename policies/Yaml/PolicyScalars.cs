using System.Globalization;
using System.Text.RegularExpressions;

namespace AtymSecure.Policies.Yaml;

/// <summary>The grammars of policy values written as strings: names, durations, timestamps, times of day, key fingerprints.</summary>
public static partial class PolicyScalars
{
    [GeneratedRegex("^[a-z0-9]([a-z0-9.-]{0,62}[a-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex NameGrammar();

    [GeneratedRegex("^(0|[1-9][0-9]{0,5})(s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationGrammar();

    [GeneratedRegex("^([01][0-9]|2[0-3]):[0-5][0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex TimeOfDayGrammar();

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256HexGrammar();

    public static string? CheckName(string text) => NameGrammar().IsMatch(text)
        ? null
        : $"'{PolicyFileContext.Shorten(text)}' is not a name: 1 to 64 of [a-z0-9.-], starting and ending with a letter or digit";

    public static string? CheckSha256Hex(string text) => Sha256HexGrammar().IsMatch(text)
        ? null
        : $"'{PolicyFileContext.Shorten(text)}' is not a key fingerprint: 64 lower-case hex digits (SHA-256 of the DER SubjectPublicKeyInfo)";

    /// <summary><c>90s</c>, <c>30m</c>, <c>2h</c>, <c>7d</c>.</summary>
    public static TimeSpan? Duration(string text)
    {
        var m = DurationGrammar().Match(text);
        if (!m.Success) return null;
        var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        return m.Groups[2].Value switch
        {
            "s" => TimeSpan.FromSeconds(n),
            "m" => TimeSpan.FromMinutes(n),
            "h" => TimeSpan.FromHours(n),
            _ => TimeSpan.FromDays(n),
        };
    }

    public const string DurationRule = "a duration is a whole number and a unit: 90s, 30m, 2h, 7d";

    public static string FormatDuration(TimeSpan span) =>
        span == TimeSpan.Zero ? "0s"
        : span.TotalDays == Math.Floor(span.TotalDays) ? $"{span.TotalDays:0}d"
        : span.TotalHours == Math.Floor(span.TotalHours) ? $"{span.TotalHours:0}h"
        : span.TotalMinutes == Math.Floor(span.TotalMinutes) ? $"{span.TotalMinutes:0}m"
        : $"{span.TotalSeconds:0}s";

    /// <summary>An RFC 3339 instant with seconds and an explicit offset: <c>2026-12-20T00:00:00Z</c>.</summary>
    public static DateTimeOffset? Timestamp(string text) =>
        text.Length <= 40 && DateTimeOffset.TryParseExact(text, ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
            && (text.EndsWith('Z') || text.Length > 19 && (text[^6] is '+' or '-'))
            ? t
            : null;

    public const string TimestampRule = "a timestamp is RFC 3339 with an offset: 2026-12-20T00:00:00Z";

    /// <summary><c>HH:mm</c>, 24-hour, UTC.</summary>
    public static TimeOnly? TimeOfDay(string text) =>
        TimeOfDayGrammar().IsMatch(text) ? TimeOnly.ParseExact(text, "HH:mm", CultureInfo.InvariantCulture) : null;
}
