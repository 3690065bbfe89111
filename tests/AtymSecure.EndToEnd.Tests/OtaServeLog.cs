using System.Text.RegularExpressions;

namespace AtymSecure.EndToEnd.Tests;

/// <summary>What <c>atym ota serve</c> prints that the process tests read: the URL it listens on and the one-time admin token.</summary>
internal static partial class OtaServeLog
{
    public const string ListeningLine = "atym ota: listening on";

    /// <summary>The origin (scheme, host, port) from the listening line.</summary>
    public static string ListeningUrl(string log) =>
        Listening().Match(log) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no listening line in:\n{log}");

    /// <summary>The admin token the first start on an empty store printed.</summary>
    public static string AdminToken(string log) =>
        AdminTokenLine().Match(log) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no admin token in:\n{log}");

    [GeneratedRegex(@"atym ota: listening on (https?://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();

    [GeneratedRegex(@"admin token: (atym_[0-9a-f]{8}_[A-Za-z0-9_-]{43})")]
    private static partial Regex AdminTokenLine();
}
