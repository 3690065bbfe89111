using AtymSecure.OtaContracts;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaDashboard.Auth;

/// <summary>
/// The session cookie and the operator behind it. The cookie is <c>HttpOnly</c> (no script reads it), <c>SameSite=Strict</c>
/// (no other site's page sends it), <c>Secure</c> when the request came over TLS, and scoped to <c>/ui</c>, so it never
/// authenticates the API (which takes bearer tokens only: a browser cannot be tricked into calling it).
/// </summary>
public static class DashboardSession
{
    public const string CookieName = "atym-ui-session";
    private const string OperatorItem = "atym:ui-operator";

    /// <summary>The operator of this request's session (re-checked against the token store now), or null. Sets
    /// <see cref="HttpContext.User"/>, which the antiforgery tokens are bound to.</summary>
    public static OperatorIdentity? Resolve(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Items.TryGetValue(OperatorItem, out var known)) return (OperatorIdentity?)known;
        var sessions = context.RequestServices.GetRequiredService<DashboardSessions>();
        var cookie = context.Request.Cookies[CookieName];
        OperatorIdentity? identity = null;
        if (sessions.TokenOf(cookie) is { } token)
        {
            try
            {
                identity = context.RequestServices.GetRequiredService<IOperatorTokenAuthenticator>().Authenticate(token);
            }
            catch (OtaProblemException)
            {
                sessions.Close(cookie); // revoked or expired since the login
            }
        }
        if (identity is not null) context.User = identity.ToPrincipal();
        context.Items[OperatorItem] = identity;
        return identity;
    }

    /// <summary>The operator of a page behind the login filter.</summary>
    public static OperatorIdentity Operator(HttpContext context) =>
        Resolve(context) ?? throw new InvalidOperationException("the dashboard's login filter did not run for this endpoint");

    public static void Start(HttpContext context, string sessionId, OperatorIdentity identity)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Cookies.Append(CookieName, sessionId, Options(context));
        context.User = identity.ToPrincipal();
        context.Items[OperatorItem] = identity;
    }

    public static void End(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.RequestServices.GetRequiredService<DashboardSessions>().Close(context.Request.Cookies[CookieName]);
        context.Response.Cookies.Delete(CookieName, Options(context));
    }

    private static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        Secure = context.Request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = OtaDashboardServices.Prefix,
        MaxAge = DashboardSessions.Lifetime,
        IsEssential = true,
    };
}
