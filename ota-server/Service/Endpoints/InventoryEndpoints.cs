using AtymSecure.Formats.Crypto;
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
/// The operator's view of the fleet: list and read devices (viewer; a scoped token sees only its groups and gets 403
/// out-of-scope for others), approve and decommission (admin), groups (admin: they decide scopes), tags (deployer in
/// scope), preauthorized keys (admin). Every change is audited with before and after.
/// </summary>
internal static class InventoryEndpoints
{
    public const int MaxPage = 1000;

    public static void Map(IEndpointRouteBuilder app)
    {
        var devices = app.MapGroup("/api/v1/devices").WithTags("inventory");
        devices.MapGet("", List).RequireAuthorization(OtaPolicies.Viewer).Produces<List<DeviceView>>();
        devices.MapGet("/{id}", Get).RequireAuthorization(OtaPolicies.Viewer).Produces<DeviceView>();
        devices.MapPost("/{id}/approve", (string id, HttpContext c, DeviceLifecycle l, OperatorAudit a, ReportSummaries r) =>
            Change(id, c, l, a, r, "device.approve", DeviceLifecycle.Approve)).RequireAuthorization(OtaPolicies.Admin).Produces<DeviceView>();
        devices.MapPost("/{id}/decommission", (string id, HttpContext c, DeviceLifecycle l, OperatorAudit a, ReportSummaries r) =>
            Change(id, c, l, a, r, "device.decommission", DeviceLifecycle.Decommission)).RequireAuthorization(OtaPolicies.Admin).Produces<DeviceView>();
        devices.MapPut("/{id}/groups", SetGroupsAsync).RequireAuthorization(OtaPolicies.Admin).Accepts<GroupsRequest>("application/json").Produces<DeviceView>();
        devices.MapPut("/{id}/tags", SetTagsAsync).RequireAuthorization(OtaPolicies.Deployer).Accepts<TagsRequest>("application/json").Produces<DeviceView>();
        app.MapPost("/api/v1/preauthorized-keys", PreauthorizeAsync).WithTags("inventory").RequireAuthorization(OtaPolicies.Admin)
            .Accepts<PreauthorizeRequest>("application/json").Produces<PreauthorizedKey>(201);
    }

    private static IResult List(HttpContext context, IDeviceStore devices, ReportSummaries reports, string? group, string? after, int? limit)
    {
        if (limit is < 1 or > MaxPage) throw OperatorJson.Invalid("limit", $"1..{MaxPage}");
        var caller = OperatorIdentity.From(context.User)!;
        if (group is not null && !caller.Covers([group])) throw OutOfScope();
        var size = limit ?? 100;
        var page = devices.List(after, size, group);
        // A full page may have more behind it. The link continues after the page's last record, not its last shown one:
        // devices outside the caller's scope are left out of the answer, so a page may show fewer than it read.
        if (page.Count == size) context.Response.Headers.Link = NextLink(page[^1].Id, size, group);
        return Results.Ok(page.Where(d => caller.Covers(d.Groups)).Select(d => DeviceView.Of(d, reports.Latest(d.Id))).ToList());
    }

    /// <summary>RFC 8288 <c>Link: &lt;…&gt;; rel="next"</c>, as the registry's tag list pages (distribution does the same).</summary>
    private static string NextLink(string after, int limit, string? group) =>
        $"</api/v1/devices?after={Uri.EscapeDataString(after)}&limit={limit}" + (group is null ? "" : $"&group={Uri.EscapeDataString(group)}") + ">; rel=\"next\"";

    private static IResult Get(string id, HttpContext context, DeviceLifecycle lifecycle, ReportSummaries reports)
    {
        var device = InScope(context, lifecycle.Find(id));
        return Results.Ok(DeviceView.Of(device, reports.Latest(id)));
    }

    private static IResult Change(string id, HttpContext context, DeviceLifecycle lifecycle, OperatorAudit audit, ReportSummaries reports,
        string action, Func<DeviceRecord, DeviceRecord> change)
    {
        var (before, after) = lifecycle.Update(id, d => change(InScope(context, d)));
        audit.Record(context, action, $"device/{id}", DeviceView.Of(before), DeviceView.Of(after));
        return Results.Ok(DeviceView.Of(after, reports.Latest(id)));
    }

    private static async Task<IResult> SetGroupsAsync(string id, HttpContext context, DeviceLifecycle lifecycle, OperatorAudit audit, ReportSummaries reports)
    {
        var request = await OperatorJson.ReadAsync<GroupsRequest>(context.Request).ConfigureAwait(false);
        var groups = Names.Groups(request.Groups, "$.groups");
        return Change(id, context, lifecycle, audit, reports, "device.groups", d => d with { Groups = [.. groups] });
    }

    private static async Task<IResult> SetTagsAsync(string id, HttpContext context, DeviceLifecycle lifecycle, OperatorAudit audit, ReportSummaries reports)
    {
        var request = await OperatorJson.ReadAsync<TagsRequest>(context.Request).ConfigureAwait(false);
        if (request.Tags.Count > 64) throw OperatorJson.Invalid("$.tags", "at most 64 tags");
        foreach (var (key, value) in request.Tags)
        {
            if (!Names.Group().IsMatch(key)) throw OperatorJson.Invalid($"$.tags.{Names.Shorten(key)}", "a tag key is [a-z0-9._-], 1-64");
            if (value is null || !Names.IsLabel(value)) throw OperatorJson.Invalid($"$.tags.{key}", "a tag value is 1-100 characters, no control characters");
        }
        var tags = new AtymSecure.Primitives.EquatableMap<string>(request.Tags.OrderBy(t => t.Key, StringComparer.Ordinal));
        return Change(id, context, lifecycle, audit, reports, "device.tags", d => d with { Tags = tags });
    }

    private static async Task<IResult> PreauthorizeAsync(HttpContext context, IPreauthorizedKeyStore keys, OperatorAudit audit, TimeProvider clock)
    {
        var request = await OperatorJson.ReadAsync<PreauthorizeRequest>(context.Request).ConfigureAwait(false);
        DeviceKey key;
        try
        {
            key = DeviceKey.Parse(ProtocolJson.BytesOf(request.PublicKey));
        }
        catch (Exception e) when (e is FormatException or InvalidPublicKeyException)
        {
            throw OperatorJson.Invalid("$.publicKey", $"not a base64url DER P-256 public key: {e.Message}");
        }
        if (!Names.IsLabel(request.Label)) throw OperatorJson.Invalid("$.label", "1-100 characters, no control characters");
        var entry = new PreauthorizedKey(key.Fingerprint, request.Label, [.. Names.Groups(request.Groups, "$.groups")], clock.GetUtcNow(),
            OperatorIdentity.From(context.User)!.TokenId);
        if (!keys.TryAdd(entry)) throw new OtaProblemException(409, OtaProblemCodes.Conflict, "$.publicKey", "this key is already preauthorized");
        audit.Record(context, "device.preauthorize", $"key/{key.Fingerprint}", null, new { entry, deviceId = key.DerivedDeviceId });
        return Results.Json(entry, statusCode: 201);
    }

    private static DeviceRecord InScope(HttpContext context, DeviceRecord device) =>
        OperatorIdentity.From(context.User)!.Covers(device.Groups) ? device : throw OutOfScope();

    private static OtaProblemException OutOfScope() =>
        new(403, OtaProblemCodes.OutOfScope, "id", "this token is limited to other device groups");
}

public sealed record GroupsRequest(IReadOnlyList<string> Groups);

public sealed record TagsRequest(IReadOnlyDictionary<string, string> Tags);

/// <summary>A device key allowed to enrol without a token: base64url DER SPKI.</summary>
public sealed record PreauthorizeRequest(string PublicKey, string Label, IReadOnlyList<string>? Groups = null);
