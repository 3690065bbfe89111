using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaDashboard.Pages;

/// <summary>One page of the fleet: the filter, the rows, the cursor this page started after and the next page's.</summary>
public sealed record DevicesModel(DeviceFilter Filter, IReadOnlyList<DeviceRow> Rows, string? After, string? NextAfter);

/// <summary>A device's line in the fleet table: what the store holds plus, from its last report, what runs and when it was seen.</summary>
public sealed record DeviceRow(string Id, string DeviceClass, string State, IReadOnlyList<string> Groups, IReadOnlyDictionary<string, string> Tags,
    IReadOnlyList<string> Containers, DateTimeOffset? LastSeen)
{
    public static DeviceRow Of(DeviceRecord device, DeviceReport? last)
    {
        ArgumentNullException.ThrowIfNull(device);
        var report = last is null ? null : DeviceReports.Parse(last);
        var containers = report?.Containers.Select(c => c.Name + " " + (c.Confirmed?.Version ?? "-") + (c.Trial is { } t ? $" (trial {t.Version})" : "")).ToList() ?? [];
        return new DeviceRow(device.Id, device.DeviceClass, StateName(device.State), device.Groups, device.Tags, containers, last?.ReceivedAt);
    }

    public static string StateName(DeviceState state) => System.Text.Json.JsonNamingPolicy.KebabCaseLower.ConvertName(state.ToString());
}

/// <summary>The stored reports' payloads, verified before they were stored: reading them back only parses.</summary>
internal static class DeviceReports
{
    public static VersionReport? Parse(DeviceReport stored)
    {
        try
        {
            return VersionReport.Parse(ProtocolJson.BytesOf(stored.Payload));
        }
        catch (Exception e) when (e is FormatException or AtymSecure.Primitives.ProblemException or System.Text.Json.JsonException)
        {
            return null; // a report of an older format: the page shows the rest
        }
    }
}
