using AtymSecure.OtaContracts;
using AtymSecure.OtaDashboard.Auth;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaDashboard.Endpoints;

/// <summary>What every page needs besides its model: the operator (null on the login page) and this request's
/// antiforgery token for its forms (field name and value).</summary>
public sealed record PageFrame(OperatorIdentity? Operator, string CsrfField, string CsrfToken)
{
    /// <summary>Whether the operator may press deployer buttons (the same rule as the API's deployer policy).</summary>
    public bool MayDeploy => Operator is { } op && OperatorRoles.Includes(op.Role, OperatorRole.Deployer);

    public static PageFrame Of(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new PageFrame(DashboardSession.Resolve(context), tokens.FormFieldName, tokens.RequestToken ?? "");
    }
}

/// <summary>Renders a page component with its frame and model.</summary>
internal static class Page
{
    public static RazorComponentResult<T> Render<T>(HttpContext context, object model, int status = StatusCodes.Status200OK)
        where T : IComponent =>
        new(new Dictionary<string, object?> { ["Frame"] = PageFrame.Of(context), ["Model"] = model }) { StatusCode = status };
}
