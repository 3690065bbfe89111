using AtymSecure.OtaStore;
using AtymSecure.Policies.Serving;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Endpoints;

/// <summary>
/// <c>/healthz</c>: the process answers. <c>/readyz</c>: it can also read its database (a load balancer sends traffic only
/// then). With policies (<c>--policies</c>) <c>/readyz</c> answers JSON with the policy state: 200 <c>ready</c> with the
/// serving set's digest; 200 <c>degraded</c> when the last reload failed but the last good set still serves (the replica
/// decides as before the broken change, so it stays in rotation; the error says what to fix); 503 <c>unavailable</c>
/// only when no good set was ever loaded, since then everything the policies govern is refused.
/// </summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain")).ExcludeFromDescription();
        app.MapGet("/readyz", (IOperatorTokenStore tokens, HttpContext context) =>
        {
            _ = tokens.Any();
            return context.RequestServices.GetService<PolicySetSource>() is { } policies ? Policies(policies.State) : Results.Text("ready\n", "text/plain");
        }).ExcludeFromDescription();
    }

    private static IResult Policies(PolicyState state) => Results.Json(new
    {
        status = state.Status,
        policies = new
        {
            status = state.Status,
            policySet = state.Serving?.Digest.ToString(),
            servingSince = state.ServingSince,
            lastError = state.LastFailure is { } failure
                ? new { at = failure.At, problems = failure.Problems.Select(p => p.ToString()).ToList() }
                : null,
        },
    }, statusCode: state.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
}
