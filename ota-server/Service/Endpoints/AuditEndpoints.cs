using AtymSecure.OtaContracts;
using AtymSecure.OtaServer.Api;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaServer.Endpoints;

/// <summary>
/// <c>GET /api/v1/audit?after=N&amp;limit=M</c>: the append-only audit log, oldest first, paged by sequence. A read (viewer),
/// but of the whole fleet, so a group-scoped token is refused (it would see other groups' changes).
/// </summary>
internal static class AuditEndpoints
{
    public const int MaxPage = 1000;

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/audit", (HttpContext context, IAuditLog log, long? after, int? limit) =>
        {
            if (OperatorIdentity.From(context.User) is { IsScoped: true })
                throw new OtaProblemException(403, OtaProblemCodes.OutOfScope, "Authorization", "the audit log covers every group; a group-scoped token may not read it");
            if (after is < 0) throw Http.OperatorJson.Invalid("after", "must not be negative");
            if (limit is < 1 or > MaxPage) throw Http.OperatorJson.Invalid("limit", $"1..{MaxPage}");
            var page = log.Page(after ?? 0, limit ?? 100);
            return Results.Ok(new AuditPageView(page.Entries, page.Next));
        }).RequireAuthorization(OtaPolicies.Viewer).WithTags("audit").Produces<AuditPageView>();
}
