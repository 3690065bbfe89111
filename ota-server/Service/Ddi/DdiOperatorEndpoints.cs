using AtymSecure.OtaContracts;
using AtymSecure.OtaServer.Api;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Hosting;
using AtymSecure.OtaServer.Http;
using AtymSecure.OtaStore;
using AtymSecure.Primitives;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>POST /api/v1/ddi/targets: a DDI target to create (class: the configured default when absent).</summary>
public sealed record DdiTargetCreateRequest(string? ControllerId, string? DeviceClass = null, IReadOnlyList<string>? Groups = null);

/// <summary>A DDI target as operators see it (never its token).</summary>
public sealed record DdiTargetView(string ControllerId, string DeviceClass, EquatableList<string> Groups, bool HasTargetToken,
    EquatableMap<string> Attributes, bool AttributesRequested, EquatableList<DdiActionView> Actions, DateTimeOffset CreatedAt, string CreatedBy);

/// <summary>One action of a target, newest first in <see cref="DdiTargetView.Actions"/>.</summary>
public sealed record DdiActionView(long Id, string DeploymentId, string Container, string Version, int Attempt, string State, string? Outcome,
    string? LastExecution, EquatableList<string> Messages);

/// <summary>The answer that carries a token's text: shown this once, only its hash is stored.</summary>
public sealed record DdiTokenCreated(string Token, string Authorization, DdiTargetView? Target, string? Tenant);

/// <summary>
/// The operator side of DDI (admin only, audited; docs/ddi.md, "Operator API"): create a target with its
/// TargetToken, give a target a new TargetToken, read a target with its attributes and actions, and make the tenant's
/// GatewayToken (a new one replaces the old). <c>atym ota ddi …</c> calls these.
/// </summary>
internal static class DdiOperatorEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var ddi = app.MapGroup("/api/v1/ddi").RequireAuthorization(OtaPolicies.Admin).WithTags("ddi");
        ddi.MapPost("/targets", CreateAsync).Produces<DdiTokenCreated>(201);
        ddi.MapGet("/targets/{controllerId}", (string controllerId, DdiTargetRegistry registry, IDeviceStore devices, IDdiStore store) => Results.Json(View(controllerId, registry, devices, store), OperatorJson.Options));
        ddi.MapPost("/targets/{controllerId}/token", IssueToken).Produces<DdiTokenCreated>();
        ddi.MapPost("/gateway-token", CreateGatewayToken).Produces<DdiTokenCreated>(201);
    }

    private static async Task<IResult> CreateAsync(HttpContext context, DdiTargetRegistry registry, IDeviceStore devices, IDdiStore store, OperatorAudit audit)
    {
        var request = await OperatorJson.ReadAsync<DdiTargetCreateRequest>(context.Request).ConfigureAwait(false);
        if (request.ControllerId is null) throw OperatorJson.Invalid("$.controllerId", "required");
        var groups = Names.Groups(request.Groups, "$.groups");
        var creator = OperatorIdentity.From(context.User)!;
        var (_, text) = registry.Create(request.ControllerId, request.DeviceClass, groups, creator.TokenId, withToken: true);
        var view = View(request.ControllerId, registry, devices, store);
        audit.Record(context, "ddi.target-create", $"ddi-target/{request.ControllerId}", null, view);
        return Results.Json(new DdiTokenCreated(text!, "TargetToken " + text, view, null), OperatorJson.Options, statusCode: 201);
    }

    private static IResult IssueToken(string controllerId, HttpContext context, DdiTargetRegistry registry, IDeviceStore devices, IDdiStore store, OperatorAudit audit)
    {
        _ = View(controllerId, registry, devices, store);
        var text = registry.IssueToken(controllerId);
        var view = View(controllerId, registry, devices, store);
        audit.Record(context, "ddi.target-token", $"ddi-target/{controllerId}", null, view);
        return Results.Json(new DdiTokenCreated(text, "TargetToken " + text, view, null), OperatorJson.Options);
    }

    private static IResult CreateGatewayToken(HttpContext context, IDdiStore store, OtaServerOptions options, OperatorAudit audit, TimeProvider clock)
    {
        var tenant = options.Ddi!.Tenant;
        var (id, text, hash) = DdiTokens.NewGateway();
        var creator = OperatorIdentity.From(context.User)!;
        store.SetGatewayToken(new DdiGatewayToken(tenant, id, hash, clock.GetUtcNow(), creator.TokenId));
        audit.Record(context, "ddi.gateway-token", $"ddi-tenant/{tenant}", null, new { tenant, tokenId = id });
        return Results.Json(new DdiTokenCreated(text, "GatewayToken " + text, null, tenant), OperatorJson.Options, statusCode: 201);
    }

    private static DdiTargetView View(string controllerId, DdiTargetRegistry registry, IDeviceStore devices, IDdiStore store)
    {
        var target = registry.Find(controllerId) ?? throw new OtaProblemException(404, DdiServerProblemCodes.NotFound, "controllerId", $"no DDI target '{Names.Shorten(controllerId)}'");
        var device = devices.Find(controllerId) ?? throw new OtaProblemException(404, DdiServerProblemCodes.NotFound, "controllerId", $"no device '{Names.Shorten(controllerId)}'");
        var actions = store.ActionsFor(controllerId, 20).Select(a => new DdiActionView(a.Id, a.DeploymentId, a.Container, a.Version, a.Attempt,
            a.State.ToString().ToLowerInvariant(), a.Outcome?.ToString().ToLowerInvariant(), a.LastExecution, a.Messages));
        return new DdiTargetView(controllerId, device.DeviceClass, device.Groups, target.TokenId is not null, target.Attributes, target.AttributesRequested,
            new EquatableList<DdiActionView>(actions), target.CreatedAt, target.CreatedBy);
    }
}
