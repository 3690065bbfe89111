using AtymSecure.OtaContracts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaServer.Auth;

/// <summary>Registers the operator and device-session schemes, one policy per role and the device policy (<see cref="OtaPolicies"/>), and answers refusals as problem+json.</summary>
internal static class OperatorPolicies
{
    public static void Add(IServiceCollection services)
    {
        services.AddSingleton<IOperatorTokenAuthenticator, OperatorTokenAuthenticator>();
        services.AddAuthentication(OperatorIdentity.AuthenticationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, OperatorAuthenticationHandler>(OperatorIdentity.AuthenticationScheme, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, Devices.DeviceAuthenticationHandler>(Devices.DeviceAuthenticationHandler.SchemeName, null);
        services.AddAuthorization(options =>
        {
            foreach (var role in Enum.GetValues<OperatorRole>())
                options.AddPolicy(OperatorRoles.Policy(role), policy => policy
                    .AddAuthenticationSchemes(OperatorIdentity.AuthenticationScheme)
                    .RequireAssertion(context => OperatorIdentity.From(context.User) is { } op && OperatorRoles.Includes(op.Role, role)));
            options.AddPolicy(OtaPolicies.Device, policy => policy
                .AddAuthenticationSchemes(Devices.DeviceAuthenticationHandler.SchemeName)
                .RequireClaim(Devices.DeviceAuthenticationHandler.DeviceIdClaim));
        });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
    }
}

/// <summary>401 and 403 as problem+json with the reason (unknown, revoked or expired token; role too small).</summary>
internal sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            var (code, message) = context.Items.TryGetValue(OperatorAuthenticationHandler.FailureCodeItem, out var failure) && failure is (string c, string m)
                ? (c, m) : (OtaProblemCodes.Unauthenticated, "this endpoint needs a token (Authorization: Bearer ...)");
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Http.ProblemJson.WriteAsync(context, new OtaProblemException(401, code, "Authorization", message));
        }
        if (authorizeResult.Forbidden)
        {
            var role = OperatorIdentity.From(context.User)?.Role;
            return Http.ProblemJson.WriteAsync(context, new OtaProblemException(403, OtaProblemCodes.Forbidden, "Authorization",
                $"a {(role is { } r ? OperatorRoles.Name(r) : "device")} token may not do this"));
        }
        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
