using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases;
using AtymSecure.OtaRollouts.Service;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaRollouts.Endpoints;

/// <summary>
/// The operator API of deployments (docs/ota-server.md, Rollouts):
/// <list type="bullet">
/// <item><c>POST /api/v1/deployments</c> (deployer; a group-scoped deployer only to its groups) → 201 and the deployment;</item>
/// <item><c>GET /api/v1/deployments</c>, <c>GET /api/v1/deployments/{id}</c> (viewer; scoped viewers see their groups' deployments);</item>
/// <item><c>POST /api/v1/deployments/{id}/approve|pause|resume|cancel</c> (deployer) → the deployment;</item>
/// <item><c>POST /api/v1/deployments/{id}/rollback</c> (deployer, optional body <c>{"releaseId"}</c>) → 201 and the rollback deployment.</item>
/// </list>
/// Refusals are problem+json (400 request, 403 scope, 404 unknown, 409 state, 422 no targets).
/// </summary>
public static class DeploymentEndpoints
{
    public static IEndpointRouteBuilder MapDeploymentEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api/v1/deployments");
        api.MapPost("", (Func<HttpContext, Task<IResult>>)CreateAsync).RequireAuthorization(OtaPolicies.Deployer);
        api.MapGet("", (Func<HttpContext, IResult>)List).RequireAuthorization(OtaPolicies.Viewer);
        api.MapGet("/{id}", (Func<HttpContext, string, IResult>)Get).RequireAuthorization(OtaPolicies.Viewer);
        api.MapPost("/{id}/approve", (HttpContext c, string id) => ActAsync(c, id, (s, a) => s.ApproveAsync(id, a, c.RequestAborted))).RequireAuthorization(OtaPolicies.Deployer);
        api.MapPost("/{id}/pause", (HttpContext c, string id) => ActAsync(c, id, (s, a) => s.PauseAsync(id, a, c.RequestAborted))).RequireAuthorization(OtaPolicies.Deployer);
        api.MapPost("/{id}/resume", (HttpContext c, string id) => ActAsync(c, id, (s, a) => s.ResumeAsync(id, a, c.RequestAborted))).RequireAuthorization(OtaPolicies.Deployer);
        api.MapPost("/{id}/cancel", (HttpContext c, string id) => ActAsync(c, id, (s, a) => s.CancelAsync(id, a, c.RequestAborted))).RequireAuthorization(OtaPolicies.Deployer);
        api.MapPost("/{id}/rollback", (Func<HttpContext, string, Task<IResult>>)RollbackAsync).RequireAuthorization(OtaPolicies.Deployer);
        return endpoints;
    }

    private static IResult Json(object value, int status = 200) => Results.Json(value, ReleaseJson.Options, statusCode: status);

    private static OperatorIdentity Operator(HttpContext context) =>
        OperatorIdentity.From(context.User) ?? throw new OtaProblemException(401, OtaProblemCodes.Unauthenticated, "Authorization", "an operator token is required");

    private static RolloutService Rollouts(HttpContext context) => context.RequestServices.GetRequiredService<RolloutService>();

    private static async Task<IResult> CreateAsync(HttpContext context)
    {
        var actor = Operator(context);
        var request = DeploymentRequest.Parse(await RequestBody.ReadJsonAsync(context.Request, DeploymentRequest.MaxBytes).ConfigureAwait(false));
        var created = await Rollouts(context).CreateAsync(request, actor, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.Location = $"/api/v1/deployments/{created.Id}";
        return Json(DeploymentView.Of(created, withDevices: true), StatusCodes.Status201Created);
    }

    private static IResult List(HttpContext context)
    {
        var actor = Operator(context);
        var visible = Rollouts(context).List().Where(s => !actor.IsScoped || actor.Covers(s.Spec.Target.Groups)).Select(s => DeploymentView.Of(s, withDevices: false));
        return Json(new { deployments = visible.ToList() });
    }

    private static IResult Get(HttpContext context, string id)
    {
        var actor = Operator(context);
        var state = Rollouts(context).Find(id);
        if (state is null || actor.IsScoped && !actor.Covers(state.Spec.Target.Groups))
            throw new OtaProblemException(404, Engine.RolloutProblemCodes.DeploymentNotFound, "id", $"no deployment '{id}'");
        return Json(DeploymentView.Of(state, withDevices: true));
    }

    private static async Task<IResult> ActAsync(HttpContext context, string id, Func<RolloutService, OperatorIdentity, Task<OtaStore.DeploymentState>> act)
    {
        var actor = Operator(context);
        return Json(DeploymentView.Of(await act(Rollouts(context), actor).ConfigureAwait(false), withDevices: true));
    }

    private static async Task<IResult> RollbackAsync(HttpContext context, string id)
    {
        var actor = Operator(context);
        var body = context.Request.ContentLength is > 0 || context.Request.ContentType is not null
            ? RollbackRequest.Parse(await RequestBody.ReadJsonAsync(context.Request, RollbackRequest.MaxBytes).ConfigureAwait(false))
            : new RollbackRequest((string?)null);
        var rollback = await Rollouts(context).RollbackAsync(id, body.ReleaseId, actor, context.RequestAborted).ConfigureAwait(false);
        context.Response.Headers.Location = $"/api/v1/deployments/{rollback.Id}";
        return Json(DeploymentView.Of(rollback, withDevices: true), StatusCodes.Status201Created);
    }
}
