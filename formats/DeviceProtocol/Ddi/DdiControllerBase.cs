using System.Globalization;
using System.Text.Json.Serialization;
using AtymSecure.Primitives;

namespace AtymSecure.Formats.DeviceProtocol.Ddi;

/// <summary>
/// The base poll answer (<c>GET /{tenant}/controller/v1/{controllerId}</c>, hawkBit's DdiControllerBase): how long to
/// sleep before the next poll and, as links, what the server has for the device: an open deployment
/// (<c>deploymentBase</c>, with a cache-busting <c>c</c> query that changes when the action does), the last installed
/// one (<c>installedBase</c>), a request for attributes (<c>configData</c>) or a cancellation (<c>cancelAction</c>).
/// The device follows only links; it never builds these URLs itself.
/// </summary>
public sealed record DdiControllerBase(
    [property: JsonPropertyName("config")] DdiConfig Config,
    [property: JsonPropertyName("_links")] DdiControllerLinks? Links = null) : IDdiMessage
{
    public const int MaxBytes = 16 * 1024;

    public IReadOnlyList<Problem> Validate()
    {
        var check = new DdiCheck();
        if (check.Present(Config, "$.config") && check.Present(Config.Polling, "$.config.polling"))
            Config.Polling.Check(check, "$.config.polling");
        if (Links is not null)
        {
            check.Link(Links.DeploymentBase, "$._links.deploymentBase", required: false);
            check.Link(Links.InstalledBase, "$._links.installedBase", required: false);
            check.Link(Links.ConfigData, "$._links.configData", required: false);
            check.Link(Links.CancelAction, "$._links.cancelAction", required: false);
        }
        return check.Problems;
    }
}

/// <summary><c>config</c> of the base poll answer.</summary>
public sealed record DdiConfig([property: JsonPropertyName("polling")] DdiPolling Polling);

/// <summary><c>config.polling</c>: <see cref="Sleep"/> is <c>HH:MM:SS</c> (hawkBit's format; hours may pass 24).</summary>
public sealed record DdiPolling([property: JsonPropertyName("sleep")] string Sleep)
{
    /// <summary>At most this long (hawkBit's own cap is a day; a week leaves room for slow fleets).</summary>
    public static readonly TimeSpan MaxSleep = TimeSpan.FromDays(7);

    /// <summary>The polling config of <paramref name="sleep"/>, whole seconds (rounded down, at least 1 s).</summary>
    public static DdiPolling Of(TimeSpan sleep)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sleep, MaxSleep);
        var seconds = Math.Max(1, (long)sleep.TotalSeconds);
        return new DdiPolling(string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:00}:{seconds / 60 % 60:00}:{seconds % 60:00}"));
    }

    /// <summary>The sleep as a TimeSpan, or null when <see cref="Sleep"/> is not <c>HH:MM:SS</c> within <see cref="MaxSleep"/>.</summary>
    public TimeSpan? ToTimeSpan()
    {
        var parts = Sleep?.Split(':');
        if (parts is not { Length: 3 } || parts[0].Length is < 2 or > 3 || parts[1].Length != 2 || parts[2].Length != 2) return null;
        if (!parts.All(p => p.All(char.IsAsciiDigit))) return null;
        var (h, m, s) = (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture), int.Parse(parts[2], CultureInfo.InvariantCulture));
        if (m > 59 || s > 59) return null;
        var span = new TimeSpan(h, m, s);
        return span <= MaxSleep ? span : null;
    }

    internal void Check(DdiCheck check, string path)
    {
        if (check.Present(Sleep, path + ".sleep") && ToTimeSpan() is null)
            check.Add(DdiProblemCodes.Invalid, path + ".sleep", $"'{(Sleep.Length > 16 ? Sleep[..16] : Sleep)}' is not HH:MM:SS of at most {MaxSleep.TotalHours} hours");
    }
}

/// <summary><c>_links</c> of the base poll answer: each present only when the server has that for the device.</summary>
public sealed record DdiControllerLinks(
    [property: JsonPropertyName("deploymentBase")] DdiLink? DeploymentBase = null,
    [property: JsonPropertyName("installedBase")] DdiLink? InstalledBase = null,
    [property: JsonPropertyName("configData")] DdiLink? ConfigData = null,
    [property: JsonPropertyName("cancelAction")] DdiLink? CancelAction = null);
