using AtymSecure.OtaDashboard.Endpoints;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>
/// The fleet page's filter as typed (query string), and the store query it means; bad values are refused with the field
/// named. <see cref="Version"/> is <c>container=version</c> (the last report's confirmed version); <see cref="Seen"/> and
/// <see cref="Unseen"/> are durations in the API's grammar (<c>24h</c>: seen in the last 24 hours; <c>1h</c>: not seen for an
/// hour, or never), turned into instants from <c>now</c>.
/// </summary>
public sealed record DeviceFilter(string? Search, string? Group, string? Tag, string? DeviceClass, string? State,
    string? Version = null, string? Seen = null, string? Unseen = null)
{
    public static readonly string[] States = ["pending", "active", "decommissioned"];

    public DeviceQuery ToQuery(DateTimeOffset now)
    {
        string? Checked(string? value, string field) =>
            string.IsNullOrWhiteSpace(value) ? null : FleetEndpoints.Name().IsMatch(value.Trim()) ? value.Trim()
                : throw FleetEndpoints.Invalid(field, "expected 1-128 characters of [A-Za-z0-9._:-]");
        string? tagKey = null, tagValue = null;
        if (!string.IsNullOrWhiteSpace(Tag))
        {
            var eq = Tag.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || Tag.Length > 200) throw FleetEndpoints.Invalid("tag", "expected key=value (site=lab)");
            tagKey = Checked(Tag[..eq], "tag");
            tagValue = Tag[(eq + 1)..].Trim();
        }
        string? container = null, version = null;
        if (!string.IsNullOrWhiteSpace(Version))
        {
            var eq = Version.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || Version.Length > 200) throw FleetEndpoints.Invalid("version", "expected container=version (sensor-filter=1.0.0)");
            container = Checked(Version[..eq], "version");
            version = Checked(Version[(eq + 1)..], "version") ?? throw FleetEndpoints.Invalid("version", "expected container=version (sensor-filter=1.0.0)");
        }
        DateTimeOffset? Ago(string? text, string field) => string.IsNullOrWhiteSpace(text) ? null
            : DeploymentRequest.TryDuration(text.Trim()) is { } d && d <= MaxAge ? now - d
            : throw FleetEndpoints.Invalid(field, "expected a duration up to 3650d: " + DeploymentRequest.DurationGrammarText);
        DeviceState? state = string.IsNullOrWhiteSpace(State) ? null : State.Trim() switch
        {
            "pending" => DeviceState.Pending,
            "active" => DeviceState.Active,
            "decommissioned" => DeviceState.Decommissioned,
            _ => throw FleetEndpoints.Invalid("state", "expected pending, active or decommissioned"),
        };
        return new DeviceQuery(Checked(Search, "q"), Checked(Group, "group"), tagKey, tagValue, Checked(DeviceClass, "class"), state,
            container, version, SeenBefore: Ago(Unseen, "unseen"), SeenSince: Ago(Seen, "seen"));
    }

    /// <summary>Ten years: longer ago than any device was seen, and far from <see cref="DateTimeOffset.MinValue"/>.</summary>
    private static readonly TimeSpan MaxAge = TimeSpan.FromDays(3650);

    /// <summary>The query string of this filter (for the paging links), with <paramref name="after"/> when given.</summary>
    public string QueryString(string? after)
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value)) parts.Add(key + "=" + Uri.EscapeDataString(value));
        }
        Add("q", Search);
        Add("group", Group);
        Add("tag", Tag);
        Add("class", DeviceClass);
        Add("state", State);
        Add("version", Version);
        Add("seen", Seen);
        Add("unseen", Unseen);
        Add("after", after);
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }
}
