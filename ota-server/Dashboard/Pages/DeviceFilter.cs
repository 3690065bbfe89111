using AtymSecure.OtaDashboard.Endpoints;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>The fleet page's filter as typed (query string), and the store query it means; bad values are refused with the field named.</summary>
public sealed record DeviceFilter(string? Search, string? Group, string? Tag, string? DeviceClass, string? State)
{
    public static readonly string[] States = ["pending", "active", "decommissioned"];

    public DeviceQuery ToQuery()
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
        DeviceState? state = string.IsNullOrWhiteSpace(State) ? null : State.Trim() switch
        {
            "pending" => DeviceState.Pending,
            "active" => DeviceState.Active,
            "decommissioned" => DeviceState.Decommissioned,
            _ => throw FleetEndpoints.Invalid("state", "expected pending, active or decommissioned"),
        };
        return new DeviceQuery(Checked(Search, "q"), Checked(Group, "group"), tagKey, tagValue, Checked(DeviceClass, "class"), state);
    }

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
        Add("after", after);
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }
}
