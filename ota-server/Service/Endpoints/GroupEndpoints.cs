using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaContracts;
using AtymSecure.OtaServer.Api;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Http;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaServer.Endpoints;

/// <summary>
/// Device groups' settings (issue 14 §1, a per-group poll interval with jitter; <see cref="PollIntervals"/> applies them):
/// <c>GET /api/v1/groups/settings</c> and <c>GET /api/v1/groups/{group}/settings</c> (viewer, scoped tokens their
/// groups only), <c>PUT /api/v1/groups/{group}/settings</c> <c>{pollIntervalSeconds, pollJitterPercent?}</c> and
/// <c>DELETE</c> (admin: back to the server's interval). Every change is audited with before and after; the group's
/// devices get the new interval in their next poll answer.
/// </summary>
internal static class GroupEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var groups = app.MapGroup("/api/v1/groups").WithTags("inventory");
        groups.MapGet("/settings", List).RequireAuthorization(OtaPolicies.Viewer).Produces<List<GroupSettings>>();
        groups.MapGet("/{group}/settings", Get).RequireAuthorization(OtaPolicies.Viewer).Produces<GroupSettings>();
        groups.MapPut("/{group}/settings", SetAsync).RequireAuthorization(OtaPolicies.Admin).Accepts<GroupSettingsRequest>("application/json").Produces<GroupSettings>();
        groups.MapDelete("/{group}/settings", Remove).RequireAuthorization(OtaPolicies.Admin).Produces(204);
    }

    private static IResult List(HttpContext context, PollIntervals intervals)
    {
        var caller = OperatorIdentity.From(context.User)!;
        return Results.Ok(intervals.List().Where(s => caller.Covers([s.Group])).ToList());
    }

    private static IResult Get(string group, HttpContext context, PollIntervals intervals) =>
        Results.Ok(intervals.Find(InScope(context, group)) ?? throw NotFound(group));

    private static async Task<IResult> SetAsync(string group, HttpContext context, PollIntervals intervals, OperatorAudit audit, TimeProvider clock,
        Hosting.OtaServerOptions options)
    {
        InScope(context, group);
        var request = await OperatorJson.ReadAsync<GroupSettingsRequest>(context.Request).ConfigureAwait(false);
        if (request.PollIntervalSeconds is < PollAnswer.MinPollIntervalSeconds or > PollAnswer.MaxPollIntervalSeconds)
            throw OperatorJson.Invalid("$.pollIntervalSeconds", $"{PollAnswer.MinPollIntervalSeconds}..{PollAnswer.MaxPollIntervalSeconds}");
        if (request.PollJitterPercent is < 0 or > PollIntervals.MaxJitterPercent)
            throw OperatorJson.Invalid("$.pollJitterPercent", $"0..{PollIntervals.MaxJitterPercent}");
        var before = intervals.Find(group);
        var settings = new GroupSettings(group, request.PollIntervalSeconds, request.PollJitterPercent ?? options.PollJitterPercent, clock.GetUtcNow(),
            OperatorIdentity.From(context.User)!.TokenId);
        intervals.Set(settings);
        audit.Record(context, "group.settings", $"group/{group}", before, settings);
        return Results.Ok(settings);
    }

    private static IResult Remove(string group, HttpContext context, PollIntervals intervals, OperatorAudit audit)
    {
        var before = intervals.Find(InScope(context, group)) ?? throw NotFound(group);
        intervals.Remove(group);
        audit.Record(context, "group.settings-removed", $"group/{group}", before, null);
        return Results.NoContent();
    }

    /// <summary>The group name, when it is one (<see cref="Names.Group"/>) and the caller's token covers it.</summary>
    private static string InScope(HttpContext context, string group)
    {
        if (!Names.Group().IsMatch(group)) throw OperatorJson.Invalid("group", "a group is [a-z0-9._-], 1-64");
        return OperatorIdentity.From(context.User)!.Covers([group]) ? group
            : throw new OtaProblemException(403, OtaProblemCodes.OutOfScope, "group", "this token is limited to other device groups");
    }

    private static OtaProblemException NotFound(string group) => new(404, OtaProblemCodes.NotFound, "group", $"group {group} has no settings");
}

/// <summary><c>PUT /api/v1/groups/{group}/settings</c>: the interval (seconds) and, optionally, the jitter (default: the server's).</summary>
public sealed record GroupSettingsRequest(long PollIntervalSeconds, int? PollJitterPercent = null);
