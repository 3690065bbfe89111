using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Offline;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaReleases.Endpoints;

/// <summary>
/// <c>POST /api/v1/offline-exports</c> (deployer): an offline export for the listed devices (<see cref="OfflineExporter"/>),
/// answered as <c>application/x-tar</c> of the export folder. Audited: an export is a signed decision about what
/// devices install.
/// </summary>
public static class OfflineExportEndpoints
{
    public const string Route = "/api/v1/offline-exports";
    public const string AuditAction = "offline-export.create";

    public static IEndpointRouteBuilder MapOfflineExportEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapPost(Route, (Func<HttpContext, Task>)ExportAsync).RequireAuthorization(OtaPolicies.Deployer).WithName("CreateOfflineExport")
            .Produces(StatusCodes.Status200OK, contentType: "application/x-tar");
        return endpoints;
    }

    private static async Task ExportAsync(HttpContext context)
    {
        var actor = OperatorIdentity.From(context.User)
            ?? throw new OtaProblemException(401, OtaProblemCodes.Unauthenticated, "Authorization", "an operator token is required");
        var body = await RequestBody.ReadJsonAsync(context.Request, OfflineExportBody.MaxBytes).ConfigureAwait(false);
        var request = OfflineExportBody.Parse(body);
        var services = context.RequestServices;
        var files = await services.GetRequiredService<OfflineExporter>().ExportAsync(request, context.RequestAborted).ConfigureAwait(false);
        services.GetRequiredService<IAuditLog>().Append(new AuditEntry(0, services.GetRequiredService<TimeProvider>().GetUtcNow(), actor.TokenId, actor.Label,
            AuditAction, $"devices/{string.Join(",", request.Devices.Take(8))}{(request.Devices.Count > 8 ? ",…" : "")}", null,
            System.Text.Encoding.UTF8.GetString(body)));
        context.Response.ContentType = "application/x-tar";
        context.Response.Headers.ContentDisposition = "attachment; filename=\"offline-export.tar\"";
        await OfflineExporter.WriteTarAsync(files, context.Response.Body, context.RequestAborted).ConfigureAwait(false);
    }
}
