using System.Globalization;
using AtymSecure.Primitives;

namespace AtymSecure.Fleet;

/// <summary>What goes wrong on a simulated device (<c>atym fleet simulate --fault KIND:SHARE[:ARG]</c>).</summary>
public enum FleetFaultKind
{
    /// <summary>Power is cut once in the middle of the first bundle download; the device powers on again and resumes (Range).</summary>
    PowerCutDownload,

    /// <summary>Power is cut once a few flash operations into the first install; the bootloader recovers the old state.</summary>
    PowerCutInstall,

    /// <summary>Bundle bytes arrive at ARG per second (default 64 KiB/s).</summary>
    SlowLink,

    /// <summary>The device's temperature sensor is broken, so the sample containers' health probe fails and their trials revert.</summary>
    FailingHealth,

    /// <summary>The link is down for ARG (default 30 s) from power-on: every request fails, the agent backs off and retries.</summary>
    Offline,
}

/// <summary>Problem codes of a refused <c>--fault</c> (path <c>--fault</c>).</summary>
public static class FleetFaultProblemCodes
{
    public const string UnknownKind = "unknown-fault";
    public const string InvalidShare = "invalid-share";
    public const string InvalidArgument = "invalid-argument";
}

/// <summary>
/// One fault and the share of the fleet it hits: <see cref="Percent"/> of the devices, or <see cref="Count"/> of them,
/// picked spread over the device indexes (<see cref="Hits"/>) so every run of the same fleet hits the same devices.
/// <see cref="Argument"/> is the kind's parameter (bytes per second, a duration), already parsed.
/// </summary>
public sealed record FleetFault(FleetFaultKind Kind, double? Percent, int? Count, double Argument)
{
    public static readonly IReadOnlyDictionary<string, FleetFaultKind> Names = new Dictionary<string, FleetFaultKind>(StringComparer.Ordinal)
    {
        ["power-cut-download"] = FleetFaultKind.PowerCutDownload,
        ["power-cut-install"] = FleetFaultKind.PowerCutInstall,
        ["slow-link"] = FleetFaultKind.SlowLink,
        ["failing-health"] = FleetFaultKind.FailingHealth,
        ["offline"] = FleetFaultKind.Offline,
    };

    /// <summary>Bytes per second of a slow link.</summary>
    public long BytesPerSecond => (long)Argument;

    /// <summary>How long an offline device stays offline.</summary>
    public TimeSpan Duration => TimeSpan.FromSeconds(Argument);

    /// <summary>
    /// Whether the device at <paramref name="index"/> of <paramref name="devices"/> has this fault: the hit devices are spread
    /// evenly (indexes ⌊j·N/count⌋), shifted by the kind's number so that faults of different kinds fall on different devices
    /// while there are enough of them (a fleet of 5 with one of each kind has each fault on its own device).
    /// </summary>
    public bool Hits(int index, int devices)
    {
        if (devices <= 0 || index < 0 || index >= devices) return false;
        var count = Count ?? (int)Math.Round(devices * Percent!.Value / 100, MidpointRounding.AwayFromZero);
        count = Math.Clamp(count, 0, devices);
        var shifted = ((index - (int)Kind) % devices + devices) % devices;
        for (var j = 0; j < count; j++)
        {
            if ((int)((long)j * devices / count) == shifted) return true;
        }
        return false;
    }

    /// <summary>Parses <c>KIND:SHARE[:ARG]</c>, SHARE = <c>N%</c> or a device count; ARG per kind (<c>64KiB</c>, <c>30s</c>).</summary>
    /// <exception cref="ProblemException">Unknown kind, bad share or argument (code from <see cref="FleetFaultProblemCodes"/>, path <c>--fault</c>).</exception>
    public static FleetFault Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        static ProblemException Refuse(string code, string message) => new("invalid --fault", new Problem(code, "--fault", message));
        var parts = text.Split(':');
        if (parts.Length is < 2 or > 3) throw Refuse(FleetFaultProblemCodes.InvalidShare, $"'{text}': expected KIND:SHARE[:ARG], e.g. failing-health:25%");
        if (!Names.TryGetValue(parts[0], out var kind))
            throw Refuse(FleetFaultProblemCodes.UnknownKind, $"'{parts[0]}' is not a fault; faults: {string.Join(", ", Names.Keys)}");
        double? percent = null;
        int? count = null;
        var share = parts[1];
        if (share.EndsWith('%') && double.TryParse(share[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var p) && p is >= 0 and <= 100) percent = p;
        else if (int.TryParse(share, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) count = n;
        else throw Refuse(FleetFaultProblemCodes.InvalidShare, $"'{share}': a share is a percentage (0-100%) or a device count");
        var argument = kind switch
        {
            FleetFaultKind.SlowLink => parts.Length == 3 ? ParseBytes(parts[2]) ?? throw Refuse(FleetFaultProblemCodes.InvalidArgument, $"'{parts[2]}': bytes per second, e.g. 64KiB") : 64 * 1024,
            FleetFaultKind.Offline => parts.Length == 3 ? ParseSeconds(parts[2]) ?? throw Refuse(FleetFaultProblemCodes.InvalidArgument, $"'{parts[2]}': a duration, e.g. 30s or 2m") : 30,
            _ when parts.Length == 3 => throw Refuse(FleetFaultProblemCodes.InvalidArgument, $"{parts[0]} takes no argument"),
            _ => 0,
        };
        return new FleetFault(kind, percent, count, argument);
    }

    private static double? ParseBytes(string text)
    {
        (string Suffix, long Factor)[] units = [("KiB", 1024), ("MiB", 1024 * 1024), ("B", 1), ("", 1)];
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && long.TryParse(text[..^suffix.Length], NumberStyles.None, CultureInfo.InvariantCulture, out var v) && v > 0)
                return (double)v * factor;
        }
        return null;
    }

    private static double? ParseSeconds(string text)
    {
        (string Suffix, double Factor)[] units = [("ms", 0.001), ("s", 1), ("m", 60)];
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal) && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0)
                return v * factor;
        }
        return null;
    }

    public override string ToString() =>
        $"{Names.First(n => n.Value == Kind).Key}:{(Count is { } c ? c.ToString(CultureInfo.InvariantCulture) : Percent!.Value.ToString(CultureInfo.InvariantCulture) + "%")}";
}
