using System.Text.Encodings.Web;
using AtymSecure.OtaContracts;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AtymSecure.OtaServer.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer atym_ID_SECRET</c> through <see cref="IOperatorTokenAuthenticator"/>: known id,
/// secret hash equal in constant time, not revoked, not expired. The principal carries <see cref="OperatorIdentity"/>'s
/// claims. A request without an operator token is simply unauthenticated (device endpoints use their own scheme); a
/// wrong, revoked or expired token fails, and the failure's problem code is kept for the 401 answer.
/// </summary>
internal sealed class OperatorAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IOperatorTokenAuthenticator authenticator)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    internal const string FailureCodeItem = "atym:auth-failure-code";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return Task.FromResult(AuthenticateResult.NoResult());
        var text = header["Bearer ".Length..].Trim();
        if (!text.StartsWith(OperatorTokenText.OperatorPrefix, StringComparison.Ordinal)) return Task.FromResult(AuthenticateResult.NoResult());
        try
        {
            var identity = authenticator.Authenticate(text);
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(identity.ToPrincipal(), Scheme.Name)));
        }
        catch (OtaProblemException refused)
        {
            var problem = refused.Problems[0];
            Context.Items[FailureCodeItem] = (problem.Code, problem.Message);
            return Task.FromResult(AuthenticateResult.Fail(problem.Message));
        }
    }
}
