using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.OtaContracts;
using AtymSecure.OtaMetadata.Director;
using AtymSecure.OtaMetadata.Keys;
using AtymSecure.OtaMetadata.Repository;
using AtymSecure.OtaMetadata.Status;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaMetadata.Http;

/// <summary>
/// Operator endpoints for the offline half (<c>atym tuf</c> signs on the operator's or vendor's machine, these
/// publish): <c>PUT /api/v1/tuf/image/root</c>, <c>/image/targets</c>, <c>/image/delegations/{role}</c> (a vendor's
/// listing), <c>/director/root</c> (admin; the body is the signed file), and <c>GET /api/v1/tuf/status</c> (every
/// role's expiry) and <c>/online-keys</c> (the public keys to list in roots and delegations) for viewers. Every
/// upload is checked as a device would check it before anything is written (a refusal is a problem with the
/// device's reason code, answered 400), and every publication is audited.
/// </summary>
public static class TufAdminEndpoints
{
    public const string Prefix = "/api/v1/tuf";

    public static IEndpointRouteBuilder MapTufAdminEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var group = app.MapGroup(Prefix);
        group.MapPut("/image/root", (HttpContext c, CancellationToken _) => Upload(c, "tuf.image.root", "image root", (s, b) => s.GetRequiredService<ImageRepository>().AcceptRoot(b)))
            .RequireAuthorization(OtaPolicies.Admin);
        group.MapPut("/image/targets", (HttpContext c, CancellationToken _) => Upload(c, "tuf.image.targets", "image targets", (s, b) => s.GetRequiredService<ImageRepository>().AcceptTargets(b)))
            .RequireAuthorization(OtaPolicies.Admin);
        group.MapPut("/image/delegations/{role}", (string role, HttpContext c) => Upload(c, "tuf.image.delegation", role, (s, b) => s.GetRequiredService<ImageRepository>().AcceptDelegated(role, b)))
            .RequireAuthorization(OtaPolicies.Admin);
        group.MapPut("/director/root", (HttpContext c, CancellationToken _) => Upload(c, "tuf.director.root", "director root", (s, b) => s.GetRequiredService<UptaneDirector>().AcceptRoot(b)))
            .RequireAuthorization(OtaPolicies.Admin);
        group.MapGet("/status", (HttpContext c) =>
        {
            var image = c.RequestServices.GetRequiredService<ImageRepository>();
            var director = c.RequestServices.GetRequiredService<UptaneDirector>();
            var now = c.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
            return Results.Json(ExpiryReport.Of(image.Published, director.Roots.Current, image.Options, now).Select(r => new
            {
                repository = r.Repository, role = r.Role, version = r.Version, expires = r.Expires, online = r.Online,
                secondsLeft = (long)r.Left.TotalSeconds, level = r.Level.ToString().ToLowerInvariant(),
            }));
        }).RequireAuthorization(OtaPolicies.Viewer);
        group.MapGet("/online-keys", (HttpContext c) =>
        {
            var keys = c.RequestServices.GetRequiredService<IOnlineKeyStore>();
            return Results.Json(OnlineRoleNames.All.ToDictionary(r => r.Name(), r => keys.Keys(r).Select(k => new
            {
                generation = k.Generation, keyid = k.PublicKey.KeyId, key = Formats.UpdateMetadata.Json.CanonicalJsonWriter.EncodeDocument(k.PublicKey.ToJson()),
            })));
        }).RequireAuthorization(OtaPolicies.Viewer);
        return app;
    }

    private static async Task<IResult> Upload(HttpContext context, string action, string subject, Action<IServiceProvider, byte[]> accept)
    {
        var body = await RequestBody.ReadAsync(context.Request, checked((int)MetadataFolder.MaxFileBytes)).ConfigureAwait(false);
        try
        {
            accept(context.RequestServices, body);
        }
        catch (MetadataRefusedException e)
        {
            throw new OtaProblemException(StatusCodes.Status400BadRequest, e);
        }
        var actor = OperatorIdentity.From(context.User);
        context.RequestServices.GetService<IAuditLog>()?.Append(new AuditEntry(0, context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow(),
            actor?.TokenId ?? "?", actor?.Label ?? "?", action, subject, null, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body))));
        return Results.NoContent();
    }
}
