using AtymSecure.OtaContracts;
using AtymSecure.OtaServer.Api;
using AtymSecure.OtaServer.Auth;
using AtymSecure.OtaServer.Http;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaServer.Endpoints;

/// <summary>
/// Operator tokens and fleet enrolment tokens (admin only, trust model §8): create (the text is in the answer this one
/// time, only the secret's SHA-256 is stored), list, revoke. Every change goes to the audit log.
/// </summary>
internal static class TokenEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var tokens = app.MapGroup("/api/v1/tokens").RequireAuthorization(OtaPolicies.Admin).WithTags("tokens");
        tokens.MapPost("", CreateOperatorToken).Accepts<TokenCreateRequest>("application/json").Produces<TokenCreated>(201);
        tokens.MapGet("", (IOperatorTokenStore store) => Results.Ok(store.List().Select(TokenView.Of).ToList())).Produces<List<TokenView>>();
        tokens.MapDelete("/{id}", RevokeOperatorToken).Produces(204);

        var enrollment = app.MapGroup("/api/v1/enrollment-tokens").RequireAuthorization(OtaPolicies.Admin).WithTags("tokens");
        enrollment.MapPost("", CreateEnrollmentToken).Accepts<EnrollmentTokenCreateRequest>("application/json").Produces<EnrollmentTokenCreated>(201);
        enrollment.MapGet("", (IEnrollmentTokenStore store) => Results.Ok(store.List().Select(EnrollmentTokenView.Of).ToList())).Produces<List<EnrollmentTokenView>>();
        enrollment.MapDelete("/{id}", RevokeEnrollmentToken).Produces(204);
    }

    private static async Task<IResult> CreateOperatorToken(HttpContext context, IOperatorTokenStore store, OperatorAudit audit, TimeProvider clock)
    {
        var request = await OperatorJson.ReadAsync<TokenCreateRequest>(context.Request).ConfigureAwait(false);
        if (!Names.IsLabel(request.Label)) throw OperatorJson.Invalid("$.label", "1-100 characters, no control characters");
        if (!OperatorRoles.TryParse(request.Role, out var role)) throw OperatorJson.Invalid("$.role", "one of viewer, releaser, deployer, admin");
        var groups = Names.Groups(request.Groups, "$.groups");
        if (groups.Count > 0 && !OperatorRoles.MayBeScoped(role)) throw OperatorJson.Invalid("$.groups", "only viewer and deployer tokens can be limited to groups");
        var now = clock.GetUtcNow();
        if (request.ExpiresAt is { } expires && expires <= now) throw OperatorJson.Invalid("$.expiresAt", "must be in the future");
        var creator = OperatorIdentity.From(context.User)!;
        while (true)
        {
            var (id, text, hash) = OperatorTokenText.Create();
            var token = new OperatorToken(id, request.Label, role, [.. groups], hash, now, creator.TokenId, request.ExpiresAt, null);
            if (!store.TryAdd(token)) continue; // a 32-bit id collided: draw again
            audit.Record(context, "token.create", $"token/{id}", null, TokenView.Of(token));
            return Results.Json(new TokenCreated(text, TokenView.Of(token)), statusCode: 201);
        }
    }

    private static IResult RevokeOperatorToken(string id, HttpContext context, IOperatorTokenStore store, OperatorAudit audit, TimeProvider clock)
    {
        var before = store.Find(id) ?? throw new OtaProblemException(404, OtaProblemCodes.NotFound, "id", $"no operator token {Names.Shorten(id)}");
        if (!store.Revoke(id, clock.GetUtcNow())) throw new OtaProblemException(409, OtaProblemCodes.Conflict, "id", $"operator token {id} is already revoked");
        audit.Record(context, "token.revoke", $"token/{id}", TokenView.Of(before), TokenView.Of(store.Find(id)!));
        return Results.NoContent();
    }

    private static async Task<IResult> CreateEnrollmentToken(HttpContext context, IEnrollmentTokenStore store, OperatorAudit audit, TimeProvider clock)
    {
        var request = await OperatorJson.ReadAsync<EnrollmentTokenCreateRequest>(context.Request).ConfigureAwait(false);
        if (!Names.IsLabel(request.Label)) throw OperatorJson.Invalid("$.label", "1-100 characters, no control characters");
        if (request.Uses is < 1 or > 1_000_000) throw OperatorJson.Invalid("$.uses", "1..1000000 (leave it out for no limit)");
        var groups = Names.Groups(request.Groups, "$.groups");
        var now = clock.GetUtcNow();
        if (request.ExpiresAt is { } expires && expires <= now) throw OperatorJson.Invalid("$.expiresAt", "must be in the future");
        var creator = OperatorIdentity.From(context.User)!;
        while (true)
        {
            var (id, text, hash) = OperatorTokenText.Create(OperatorTokenText.EnrollmentPrefix);
            var token = new EnrollmentToken(id, request.Label, hash, request.Uses, [.. groups], now, creator.TokenId, request.ExpiresAt, null);
            if (!store.TryAdd(token)) continue;
            audit.Record(context, "enrollment-token.create", $"enrollment-token/{id}", null, EnrollmentTokenView.Of(token));
            return Results.Json(new EnrollmentTokenCreated(text, EnrollmentTokenView.Of(token)), statusCode: 201);
        }
    }

    private static IResult RevokeEnrollmentToken(string id, HttpContext context, IEnrollmentTokenStore store, OperatorAudit audit, TimeProvider clock)
    {
        var before = store.Find(id) ?? throw new OtaProblemException(404, OtaProblemCodes.NotFound, "id", $"no enrolment token {Names.Shorten(id)}");
        if (!store.Revoke(id, clock.GetUtcNow())) throw new OtaProblemException(409, OtaProblemCodes.Conflict, "id", $"enrolment token {id} is already revoked");
        audit.Record(context, "enrollment-token.revoke", $"enrollment-token/{id}", EnrollmentTokenView.Of(before), EnrollmentTokenView.Of(store.Find(id)!));
        return Results.NoContent();
    }
}
