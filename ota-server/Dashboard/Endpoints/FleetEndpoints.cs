using System.Text.RegularExpressions;
using AtymSecure.OtaContracts;
using AtymSecure.OtaDashboard.Auth;
using AtymSecure.OtaDashboard.Pages;
using AtymSecure.OtaRollouts.Service;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaDashboard.Endpoints;

/// <summary>
/// <c>GET /ui/devices</c>: one page of the fleet (<see cref="PageSize"/> devices, one store query with a limit and an
/// <c>after</c> cursor, never the whole fleet) filtered by id prefix, group, tag, class, state, a container's confirmed
/// version and last seen; <c>GET /ui/devices/{id}</c>:
/// one device with its slots, counters, install and trial history from its recent reports, and its deployments. A scoped
/// token sees only its groups' devices, as in the API.
/// </summary>
internal static partial class FleetEndpoints
{
    public const int PageSize = 50;
    public const int HistoryReports = 50;

    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/devices", List);
        pages.MapGet("/devices/{id}", Get);
    }

    private static IResult List(HttpContext context, IDeviceStore devices, IDeviceReportStore reports,
        TimeProvider clock, string? q, string? group, string? tag, string? @class, string? state, string? version, string? seen, string? unseen, string? after)
    {
        var op = DashboardSession.Operator(context);
        var filter = new DeviceFilter(q, group, tag, @class, state, version, seen, unseen);
        var query = filter.ToQuery(clock.GetUtcNow());
        if (query.Group is { } g && !op.Covers([g])) throw new OtaProblemException(403, OtaProblemCodes.OutOfScope, "group", "this token is limited to other device groups");
        if (after is not null && !Name().IsMatch(after)) throw Invalid("after", "not a device id");
        // One more than a page tells whether there is a next page, without counting the fleet.
        var page = devices.Query(query, after, PageSize + 1);
        var shown = page.Take(PageSize).Where(d => op.Covers(d.Groups)).Select(d => DeviceRow.Of(d, reports.Latest(d.Id))).ToList();
        var next = page.Count > PageSize ? page[PageSize - 1].Id : null;
        return Page.Render<DevicesPage>(context, new DevicesModel(filter, shown, after, next));
    }

    private static IResult Get(HttpContext context, string id, IDeviceStore devices, IDeviceReportStore reports)
    {
        var op = DashboardSession.Operator(context);
        var device = devices.Find(id);
        if (device is null || !op.Covers(device.Groups)) throw new OtaProblemException(404, OtaProblemCodes.NotFound, "id", $"no device '{Clip(id)}'");
        var recent = reports.Recent(id, HistoryReports);
        var rollouts = context.RequestServices.GetService<RolloutService>();
        var deployments = rollouts is null ? [] : rollouts.List().Where(s => s.Device(id) is not null).Reverse()
            .Select(s => DeviceDeploymentLine.Of(s, s.Device(id)!)).ToList();
        return Page.Render<DevicePage>(context, DeviceModel.Of(device, recent, deployments));
    }

    internal static OtaProblemException Invalid(string path, string message) => new(400, DashboardProblemCodes.FilterInvalid, path, message);

    private static string Clip(string text) => text.Length > 64 ? text[..64] + "…" : text;

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,128}$", RegexOptions.CultureInvariant)]
    internal static partial Regex Name();
}
