using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using AtymSecure.OtaContracts;
using AtymSecure.OtaRollouts.Engine;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;

namespace AtymSecure.OtaRollouts.Service;

/// <summary>The target set of a request: groups, tags, a device class, explicit device ids (docs/ota-server.md, Rollouts).</summary>
public sealed record DeploymentTargetRequest(string[]? Groups = null, Dictionary<string, string>? Tags = null, string? DeviceClass = null, string[]? Devices = null);

/// <summary>The halt rule of a request: <c>failures</c> (count), <c>ratio</c> (<c>"20%"</c>), <c>minFinished</c>.</summary>
public sealed record HaltRequest(int? Failures = null, string? Ratio = null, int? MinFinished = null);

/// <summary>A maintenance window of a request: <c>{group, days: ["mon", …], start: "02:00", duration: "2h", timeZone}</c>.</summary>
public sealed record WindowRequest(string Group, string[]? Days, string Start, string Duration, string? TimeZone = null);

/// <summary>
/// <c>POST /api/v1/deployments</c> (and <c>atym ota deploy</c>): strict JSON (unknown members refused, 64 KiB at most),
/// checked all at once into the problems of one <see cref="ProblemException"/>. Durations are <c>N</c> + <c>s|m|h|d</c>;
/// waves are cumulative, each <c>"N"</c> devices or <c>"P%"</c> of the target set; <c>start</c>/<c>end</c> are ISO 8601,
/// local to <c>timeZone</c> (an IANA id, default UTC) unless they carry an offset.
/// </summary>
public sealed partial record DeploymentRequest(
    string ReleaseId,
    DeploymentTargetRequest? Target = null,
    string? Targeting = null,
    int? Canary = null,
    string[]? Waves = null,
    string? Soak = null,
    HaltRequest? Halt = null,
    string? DeviceTimeout = null,
    int? Retries = null,
    string? RetryBackoff = null,
    bool? RollbackOnHalt = null,
    bool? Forced = null,
    bool? RequireApproval = null,
    string[]? Via = null,
    int? MaxConcurrentDownloads = null,
    string? Start = null,
    string? End = null,
    string? TimeZone = null,
    WindowRequest[]? Windows = null)
{
    public const int MaxBytes = 64 * 1024;
    public const int MaxDevices = 4096;
    public const int MaxListItems = 64;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly Dictionary<string, DayOfWeek> DayNames = new(StringComparer.Ordinal)
    {
        ["mon"] = DayOfWeek.Monday, ["tue"] = DayOfWeek.Tuesday, ["wed"] = DayOfWeek.Wednesday, ["thu"] = DayOfWeek.Thursday,
        ["fri"] = DayOfWeek.Friday, ["sat"] = DayOfWeek.Saturday, ["sun"] = DayOfWeek.Sunday,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <exception cref="ProblemException">Not JSON, unknown members, or values breaking their grammar.</exception>
    public static DeploymentRequest Parse(ReadOnlySpan<byte> utf8)
    {
        var request = RequestJson.Deserialize<DeploymentRequest>(utf8, Json, "deployment refused", RolloutProblemCodes.RequestInvalid);
        if (request is null) throw new ProblemException("deployment refused", [new Problem(RolloutProblemCodes.RequestInvalid, "$", "expected a JSON object")]);
        var ids = new List<Problem>();
        if (request.ReleaseId is null || !IdGrammar().IsMatch(request.ReleaseId)) ids.Add(Bad("$.releaseId", "expected a release id (rel- and 16 hex digits)"));
        if (request.Via is { Length: > MaxListItems }) ids.Add(Bad("$.via", $"at most {MaxListItems} releases"));
        foreach (var (v, i) in (request.Via ?? []).Select((v, i) => (v, i)))
            if (v is null || !IdGrammar().IsMatch(v)) ids.Add(Bad($"$.via[{i}]", "expected a release id"));
        return ids.Count > 0 ? throw new ProblemException("deployment refused", ids) : request;
    }

    /// <summary>Checks every field and builds the spec for <paramref name="release"/> (intermediates resolved by <paramref name="viaVersions"/>).</summary>
    /// <exception cref="ProblemException">Every problem found, at once.</exception>
    public DeploymentSpec ToSpec(string id, Release release, IReadOnlyList<IntermediateRelease> via, DateTimeOffset now, string createdBy)
    {
        ArgumentNullException.ThrowIfNull(release);
        var p = new List<Problem>();
        var target = Target ?? new DeploymentTargetRequest();
        var groups = Names(target.Groups, "$.target.groups", p);
        var devices = target.Devices ?? [];
        if (devices.Length > MaxDevices) p.Add(Bad("$.target.devices", $"at most {MaxDevices} devices; target a group or tags instead"));
        foreach (var (d, i) in devices.Select((d, i) => (d, i)))
            if (d is null || !IdGrammar().IsMatch(d)) p.Add(Bad($"$.target.devices[{i}]", "expected 1-128 characters of [A-Za-z0-9._:-]"));
        var tags = target.Tags ?? [];
        if (tags.Count > MaxListItems) p.Add(Bad("$.target.tags", $"at most {MaxListItems} tags"));
        foreach (var (k, v) in tags)
            if (!IdGrammar().IsMatch(k) || v is null || v.Length > 256) p.Add(Bad($"$.target.tags.{k}", "a tag is a name of [A-Za-z0-9._:-] and a value of at most 256 characters"));
        if (target.DeviceClass is { } c && !IdGrammar().IsMatch(c)) p.Add(Bad("$.target.deviceClass", "not a device class name"));
        var set = new TargetSet(new EquatableList<string>(groups), new EquatableMap<string>(tags), target.DeviceClass, new EquatableList<string>(devices.Where(d => d is not null)));
        if (!set.HasFilter && set.Devices.Count == 0) p.Add(new Problem(RolloutProblemCodes.RequestInvalid, "$.target", "name groups, tags, a device class or devices"));
        var targeting = Targeting switch
        {
            null or "snapshot" => TargetingMode.Snapshot,
            "continuous" => TargetingMode.Continuous,
            _ => Fail<TargetingMode>(p, "$.targeting", "expected snapshot or continuous"),
        };
        if (Canary is < 0 or > 1000) p.Add(Bad("$.canary", "expected 0 to 1000 devices"));
        var waves = (Waves ?? ["100%"]).Select((w, i) => WaveStepOf(w, $"$.waves[{i}]", p)).ToList();
        if (waves.Count > MaxListItems) p.Add(Bad("$.waves", $"at most {MaxListItems} waves"));
        var soak = Duration(Soak, "$.soak", TimeSpan.Zero, p);
        var halt = Halt ?? new HaltRequest(Failures: 1);
        if (halt.Failures is < 1) p.Add(Bad("$.halt.failures", "expected at least 1"));
        if (halt.MinFinished is < 0) p.Add(Bad("$.halt.minFinished", "expected 0 or more"));
        var ratio = halt.Ratio is null ? (double?)null : Percent(halt.Ratio, "$.halt.ratio", p);
        var timeout = Duration(DeviceTimeout, "$.deviceTimeout", TimeSpan.FromMinutes(30), p);
        if (timeout <= TimeSpan.Zero) p.Add(Bad("$.deviceTimeout", "expected more than 0"));
        if (Retries is < 0 or > 100) p.Add(Bad("$.retries", "expected 0 to 100"));
        var backoff = Duration(RetryBackoff, "$.retryBackoff", TimeSpan.FromSeconds(30), p);
        if (MaxConcurrentDownloads is < 1) p.Add(Bad("$.maxConcurrentDownloads", "expected at least 1"));
        var zone = TimeZone ?? "UTC";
        var tz = Zone(zone, "$.timeZone", p);
        var start = Instant(Start, tz, "$.start", p);
        var end = Instant(End, tz, "$.end", p);
        if (start is not null && end is not null && end <= start) p.Add(Bad("$.end", "the end must be after the start"));
        var windows = (Windows ?? []).Select((w, i) => WindowOf(w, zone, $"$.windows[{i}]", p)).ToList();
        if (windows.Count > MaxListItems) p.Add(Bad("$.windows", $"at most {MaxListItems} windows"));
        if (p.Count > 0) throw new ProblemException("deployment refused", p);
        return new DeploymentSpec(id, release.Id, release.Container, release.Version, set, targeting,
            new RolloutPlan(Canary ?? 0, new EquatableList<WaveStep>(waves!), soak),
            new HaltRule(halt.Failures, ratio, halt.MinFinished ?? 0), timeout,
            new RetryPolicy(Retries ?? 0, backoff, TimeSpan.FromTicks(Math.Max(backoff.Ticks, TimeSpan.FromMinutes(30).Ticks))),
            RollbackOnHalt ?? false, Forced ?? false, RequireApproval ?? false, new EquatableList<IntermediateRelease>(via), MaxConcurrentDownloads,
            start, end, zone, new EquatableList<MaintenanceWindow>(windows!), now, createdBy);
    }

    /// <summary><c>N</c> + <c>s|m|h|d</c> (<c>30s</c>, <c>10m</c>); null gives <paramref name="fallback"/>.</summary>
    public static TimeSpan? TryDuration(string? text)
    {
        if (text is null) return null;
        var m = DurationGrammar().Match(text);
        if (!m.Success || !long.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 10_000_000) return null;
        return m.Groups[2].Value switch { "s" => TimeSpan.FromSeconds(n), "m" => TimeSpan.FromMinutes(n), "h" => TimeSpan.FromHours(n), _ => TimeSpan.FromDays(n) };
    }

    private static TimeSpan Duration(string? text, string path, TimeSpan fallback, List<Problem> p) =>
        text is null ? fallback : TryDuration(text) ?? Fail<TimeSpan>(p, path, "expected a duration: " + DurationGrammarText);

    /// <summary><c>P%</c> above 0 and at most 100 (<c>20%</c>, <c>12.5%</c>) as a ratio (0.2); null when it is not one.</summary>
    public static double? TryPercent(string? text)
    {
        var m = PercentGrammar().Match(text ?? "");
        return m.Success && double.TryParse(m.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v) && v is > 0 and <= 100
            ? v / 100 : null;
    }

    /// <summary>A wave: a device count (<c>5</c>) or a percentage of the target set (<c>10%</c>); null when it is neither.</summary>
    public static WaveStep? TryWaveStep(string? text)
    {
        if (text is not null && text.EndsWith('%')) return TryPercent(text) is { } r ? new WaveStep(null, r * 100) : null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 10_000_000 ? new WaveStep(n, null) : null;
    }

    public const string DurationGrammarText = "a number and s, m, h or d (30s, 10m)";

    public const string PercentGrammarText = "a percentage above 0 and at most 100 (20%)";

    public const string WaveGrammarText = "a device count (5) or a percentage (10%)";

    private static double? Percent(string text, string path, List<Problem> p) =>
        TryPercent(text) ?? Fail<double?>(p, path, "expected " + PercentGrammarText);

    private static WaveStep? WaveStepOf(string? text, string path, List<Problem> p) =>
        TryWaveStep(text) ?? Fail<WaveStep?>(p, path, "expected " + WaveGrammarText);

    private static TimeZoneInfo? Zone(string id, string path, List<Problem> p)
    {
        if (id.Length <= 64 && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)) return zone;
        p.Add(Bad(path, $"unknown time zone '{Clip(id)}' (an IANA id such as Europe/Berlin)"));
        return null;
    }

    private static DateTimeOffset? Instant(string? text, TimeZoneInfo? zone, string path, List<Problem> p)
    {
        if (text is null) return null;
        if (text.Length <= 40 && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var withOffset) && HasOffset(text)) return withOffset;
        if (text.Length <= 40 && DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) && zone is not null)
        {
            var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            if (zone.IsInvalidTime(unspecified)) return Fail<DateTimeOffset?>(p, path, $"{Clip(text)} does not exist in {zone.Id} (a daylight-saving gap)");
            return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
        }
        p.Add(Bad(path, "expected an ISO 8601 date and time (2026-12-03T02:00)"));
        return null;
    }

    private static bool HasOffset(string text) => text.EndsWith('Z') || OffsetGrammar().IsMatch(text);

    private MaintenanceWindow? WindowOf(WindowRequest? w, string zone, string path, List<Problem> p)
    {
        if (w is null) return Fail<MaintenanceWindow?>(p, path, "expected a window object");
        var before = p.Count;
        if (w.Group is null || !IdGrammar().IsMatch(w.Group)) p.Add(Bad(path + ".group", "not a group name"));
        var days = new List<DayOfWeek>();
        foreach (var (d, i) in (w.Days ?? [.. DayNames.Keys]).Select((d, i) => (d, i)))
            if (d is not null && DayNames.TryGetValue(d, out var day)) days.Add(day);
            else p.Add(Bad($"{path}.days[{i}]", "expected mon, tue, wed, thu, fri, sat or sun"));
        if (!TimeOnly.TryParseExact(w.Start ?? "", "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)) p.Add(Bad(path + ".start", "expected HH:mm"));
        var length = Duration(w.Duration ?? "", path + ".duration", TimeSpan.Zero, p);
        if (length <= TimeSpan.Zero || length > TimeSpan.FromDays(7)) p.Add(Bad(path + ".duration", "expected more than 0 and at most 7d"));
        var windowZone = w.TimeZone ?? zone;
        Zone(windowZone, path + ".timeZone", p);
        return p.Count > before ? null : new MaintenanceWindow(w.Group!, new EquatableList<DayOfWeek>(days.Distinct()), start, length, windowZone);
    }

    private static List<string> Names(string[]? names, string path, List<Problem> p)
    {
        var list = names ?? [];
        if (list.Length > MaxListItems) p.Add(Bad(path, $"at most {MaxListItems}"));
        foreach (var (n, i) in list.Select((n, i) => (n, i)))
            if (n is null || !IdGrammar().IsMatch(n)) p.Add(Bad($"{path}[{i}]", "expected 1-128 characters of [A-Za-z0-9._:-]"));
        return [.. list.Where(n => n is not null).Distinct(StringComparer.Ordinal)];
    }

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;

    private static Problem Bad(string path, string message) => new(RolloutProblemCodes.RequestInvalid, path, message);

    private static T Fail<T>(List<Problem> p, string path, string message)
    {
        p.Add(Bad(path, message));
        return default!;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$", RegexOptions.CultureInvariant)]
    internal static partial Regex IdGrammar();

    [GeneratedRegex("^([0-9]{1,9})(s|m|h|d)$", RegexOptions.CultureInvariant)]
    private static partial Regex DurationGrammar();

    [GeneratedRegex("^([0-9]{1,3}(?:\\.[0-9]{1,3})?)%$", RegexOptions.CultureInvariant)]
    private static partial Regex PercentGrammar();

    [GeneratedRegex("[+-][0-9]{2}:[0-9]{2}$", RegexOptions.CultureInvariant)]
    private static partial Regex OffsetGrammar();
}
