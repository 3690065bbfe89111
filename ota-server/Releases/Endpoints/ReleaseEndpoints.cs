using System.Text.Json;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Assignments;
using AtymSecure.OtaReleases.Import;
using AtymSecure.OtaReleases.Jobs;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaReleases.Endpoints;

/// <summary>
/// The operator API of releases, assignments and jobs:
/// <list type="bullet">
/// <item><c>POST /api/v1/releases</c> (releaser) queues an import and answers 202 with the job (<c>Location: /api/v1/jobs/{id}</c>);</item>
/// <item><c>GET /api/v1/releases[?container=]</c>, <c>GET /api/v1/releases/{id}</c> (viewer);</item>
/// <item><c>POST /api/v1/assignments</c> (deployer, group scope applies), <c>GET /api/v1/assignments[?deviceId=&amp;releaseId=]</c> (viewer);</item>
/// <item><c>GET /api/v1/jobs/{id}</c> (viewer): state, attempts, progress, error, result.</item>
/// </list>
/// Refusals are <see cref="OtaProblemException"/>s (or <see cref="Primitives.ProblemException"/>s, 400) the host maps to problem+json.
/// </summary>
public static class ReleaseEndpoints
{
    public static IEndpointRouteBuilder MapReleaseEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var api = endpoints.MapGroup("/api/v1");
        api.MapPost("/releases", (Func<HttpContext, Task<IResult>>)ImportAsync).RequireAuthorization(OtaPolicies.Releaser);
        api.MapGet("/releases", ListReleasesAsync).RequireAuthorization(OtaPolicies.Viewer);
        api.MapGet("/releases/{id}", GetReleaseAsync).RequireAuthorization(OtaPolicies.Viewer);
        api.MapPost("/assignments", (Func<HttpContext, Task<IResult>>)AssignAsync).RequireAuthorization(OtaPolicies.Deployer);
        api.MapGet("/assignments", ListAssignmentsAsync).RequireAuthorization(OtaPolicies.Viewer);
        api.MapGet("/jobs/{id}", GetJobAsync).RequireAuthorization(OtaPolicies.Viewer);
        return endpoints;
    }

    private static IResult Json(object value, int status = 200) => Results.Json(value, ReleaseJson.Options, statusCode: status);

    private static OperatorIdentity Operator(HttpContext context) =>
        OperatorIdentity.From(context.User) ?? throw new OtaProblemException(401, OtaProblemCodes.Unauthenticated, "Authorization", "an operator token is required");

    private static async Task<IResult> ImportAsync(HttpContext context)
    {
        var actor = Operator(context);
        var request = ReleaseRequest.Parse(await OtaContracts.RequestBody.ReadJsonAsync(context.Request, ReleaseRequest.MaxBytes).ConfigureAwait(false));
        var services = context.RequestServices;
        services.GetRequiredService<RegistryAccess>().Open(request.Reference); // a foreign or malformed reference: 400 now, not a failed job later
        var job = await services.GetRequiredService<JobQueue>().EnqueueAsync(ReleaseImportJob.JobKind, request.ToJson(), context.RequestAborted).ConfigureAwait(false);
        services.GetRequiredService<IAuditLog>().Append(new AuditEntry(0, job.CreatedAt, actor.TokenId, actor.Label, "release.import", $"job/{job.Id}",
            null, request.ToJson()));
        context.Response.Headers.Location = $"/api/v1/jobs/{job.Id}";
        return Json(job, StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> ListReleasesAsync(HttpContext context, string? container)
    {
        var releases = await context.RequestServices.GetRequiredService<IReleaseStore>().ListAsync(container, context.RequestAborted).ConfigureAwait(false);
        return Json(new { releases });
    }

    private static async Task<IResult> GetReleaseAsync(HttpContext context, string id) =>
        Json(await context.RequestServices.GetRequiredService<IReleaseStore>().GetAsync(id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new OtaProblemException(404, ReleaseProblemCodes.ReleaseNotFound, "id", $"no release '{id}'"));

    private static async Task<IResult> AssignAsync(HttpContext context)
    {
        var actor = Operator(context);
        var request = AssignmentRequest.Parse(await OtaContracts.RequestBody.ReadJsonAsync(context.Request, AssignmentRequest.MaxBytes).ConfigureAwait(false));
        var assignment = await context.RequestServices.GetRequiredService<AssignmentService>()
            .AssignAsync(request.ReleaseId, request.DeviceId, actor, context.RequestAborted).ConfigureAwait(false);
        return Json(assignment);
    }

    private static async Task<IResult> ListAssignmentsAsync(HttpContext context, string? deviceId, string? releaseId)
    {
        var actor = Operator(context);
        var services = context.RequestServices;
        var store = services.GetRequiredService<IAssignmentStore>();
        var found = deviceId is not null
            ? (await store.ListForDeviceAsync(deviceId, context.RequestAborted).ConfigureAwait(false)).Where(a => releaseId is null || a.ReleaseId == releaseId)
            : await store.ListAsync(releaseId, context.RequestAborted).ConfigureAwait(false);
        var devices = services.GetRequiredService<IDeviceStore>();
        // A group-scoped viewer sees only the assignments of devices in its groups.
        var visible = found.Where(a => !actor.IsScoped || devices.Find(a.DeviceId) is { } d && actor.Covers(d.Groups)).ToList();
        return Json(new { assignments = visible });
    }

    private static async Task<IResult> GetJobAsync(HttpContext context, string id) =>
        Json(await context.RequestServices.GetRequiredService<IJobStore>().GetAsync(id, context.RequestAborted).ConfigureAwait(false)
            ?? throw new OtaProblemException(404, ReleaseProblemCodes.JobNotFound, "id", $"no job '{id}'"));
}
