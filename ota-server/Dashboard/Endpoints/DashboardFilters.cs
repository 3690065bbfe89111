using AtymSecure.OtaContracts;
using AtymSecure.OtaDashboard.Auth;
using AtymSecure.OtaDashboard.Pages;
using AtymSecure.Primitives;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaDashboard.Endpoints;

/// <summary>
/// The filters of the dashboard's endpoints: security headers and refusals as pages on all of them, the login on every
/// page but the login page, and on every form post the same-origin and antiforgery checks.
/// </summary>
internal static class DashboardFilters
{
    /// <summary>Scripts, styles and connections from this origin only; no inline script or style, no framing, forms post here only.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>Headers on every /ui answer; a refusal (<see cref="ProblemException"/>) becomes an error page with its status.</summary>
    public static async ValueTask<object?> HeadersAndRefusals(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our own form posts.
        headers["Referrer-Policy"] = "same-origin";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        try
        {
            return await next(invocation).ConfigureAwait(false);
        }
        catch (OtaProblemException e)
        {
            return Page.Render<ErrorPage>(context, new ErrorModel(e.Status, e.Problems), e.Status);
        }
        catch (ProblemException e)
        {
            return Page.Render<ErrorPage>(context, new ErrorModel(StatusCodes.Status400BadRequest, e.Problems), StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>Pages need a session: a page request without one goes to the login page; anything else is refused (401).</summary>
    public static async ValueTask<object?> RequireLogin(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (DashboardSession.Resolve(context) is not null) return await next(invocation).ConfigureAwait(false);
        if (HttpMethods.IsGet(context.Request.Method) && !context.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.Ordinal))
            return Results.Redirect(OtaDashboardServices.Prefix + "/login?returnUrl=" + Uri.EscapeDataString(context.Request.Path + context.Request.QueryString));
        throw new OtaProblemException(401, OtaProblemCodes.Unauthenticated, "session", "log in first: this needs a dashboard session");
    }

    /// <summary>
    /// A form post must come from a page of this server: an <c>Origin</c> other than this host is refused, and the
    /// antiforgery token (the form field against the antiforgery cookie, bound to the session's operator) must match.
    /// </summary>
    public static async ValueTask<object?> CheckedForm(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length > 0 && !SameOrigin(origin, context.Request))
            throw new OtaProblemException(403, DashboardProblemCodes.CrossSite, "Origin", $"a form from {Clip(origin)} may not post here");
        _ = DashboardSession.Resolve(context); // the token is bound to the session's operator (anonymous on the login form)
        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context).ConfigureAwait(false);
        }
        catch (AntiforgeryValidationException)
        {
            throw new OtaProblemException(400, DashboardProblemCodes.FormTokenInvalid, "_csrf", "this form's token is missing, forged or expired: reload the page and try again");
        }
        return await next(invocation).ConfigureAwait(false);
    }

    /// <summary>The deployer role (or admin), as the API's deployer policy requires: the server refuses, not only the page.</summary>
    public static OperatorIdentity Deployer(HttpContext context)
    {
        var op = DashboardSession.Operator(context);
        return OperatorRoles.Includes(op.Role, OperatorRole.Deployer) ? op
            : throw new OtaProblemException(403, OtaProblemCodes.Forbidden, "session", $"a {OperatorRoles.Name(op.Role)} token may not do this");
    }

    private static bool SameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var o) && string.Equals(o.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(o.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);

    private static string Clip(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
