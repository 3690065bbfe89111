using AtymSecure.OtaContracts;
using AtymSecure.OtaDashboard.Auth;
using AtymSecure.OtaDashboard.Pages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaDashboard.Endpoints;

/// <summary><c>GET /ui/login</c> (the form), <c>POST /ui/login</c> (an API token → a session cookie), <c>POST /ui/logout</c>.</summary>
internal static class LoginEndpoints
{
    private const int MaxTokenLength = 256;

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/login", (HttpContext c, string? returnUrl) => Page.Render<LoginPage>(c, new LoginModel(LocalOnly(returnUrl), null)));
        ui.MapPost("/login", (Func<HttpContext, Task<IResult>>)LoginAsync).AddEndpointFilter(DashboardFilters.CheckedForm);
        ui.MapPost("/logout", (HttpContext c) =>
        {
            DashboardSession.End(c);
            return Results.Redirect(OtaDashboardServices.Prefix + "/login", preserveMethod: false);
        }).AddEndpointFilter(DashboardFilters.CheckedForm);
    }

    private static async Task<IResult> LoginAsync(HttpContext context)
    {
        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        var returnUrl = LocalOnly(form["returnUrl"].ToString());
        var token = form["token"].ToString().Trim();
        if (token.Length is 0 or > MaxTokenLength)
            return Page.Render<LoginPage>(context, new LoginModel(returnUrl, "Paste an operator API token (atym_…)."), StatusCodes.Status400BadRequest);
        OperatorIdentity identity;
        try
        {
            identity = context.RequestServices.GetRequiredService<IOperatorTokenAuthenticator>().Authenticate(token);
        }
        catch (OtaProblemException refused)
        {
            return Page.Render<LoginPage>(context, new LoginModel(returnUrl, refused.Problems[0].Message), StatusCodes.Status401Unauthorized);
        }
        var session = context.RequestServices.GetRequiredService<DashboardSessions>().Open(token);
        DashboardSession.Start(context, session, identity);
        return Results.Redirect(returnUrl ?? OtaDashboardServices.Prefix + "/devices");
    }

    /// <summary>Only a path on this dashboard (no scheme, no host, no <c>//</c>): the login never redirects off site.</summary>
    internal static string? LocalOnly(string? url) =>
        url is { Length: > 0 and <= 2048 } && url.StartsWith(OtaDashboardServices.Prefix + "/", StringComparison.Ordinal) && !url.Contains("//", StringComparison.Ordinal)
            && !url.Contains('\\', StringComparison.Ordinal) ? url : null;
}
