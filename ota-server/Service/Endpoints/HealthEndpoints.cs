using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaServer.Endpoints;

/// <summary><c>/healthz</c>: the process answers. <c>/readyz</c>: it can also read its database (a load balancer sends traffic only then).</summary>
internal static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n", "text/plain")).ExcludeFromDescription();
        app.MapGet("/readyz", (IOperatorTokenStore tokens) =>
        {
            _ = tokens.Any();
            return Results.Text("ready\n", "text/plain");
        }).ExcludeFromDescription();
    }
}
