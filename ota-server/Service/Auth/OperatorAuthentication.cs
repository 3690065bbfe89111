using System.Text.Encodings.Web;
using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AtymSecure.OtaServer.Auth;

/// <summary>
/// Authenticates <c>Authorization: Bearer atym_ID_SECRET</c> against <see cref="IOperatorTokenStore"/>: known id, secret
/// hash equal in constant time, not revoked, not expired. The principal carries <see cref="OperatorIdentity"/>'s claims.
/// A request without an operator token is simply unauthenticated (device endpoints use their own scheme); a wrong,
/// revoked or expired token fails, and the failure's problem code is kept for the 401 answer.
/// </summary>
internal sealed class OperatorAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    IOperatorTokenStore tokens, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    internal const string FailureCodeItem = "atym:auth-failure-code";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal)) return Task.FromResult(AuthenticateResult.NoResult());
        var text = header["Bearer ".Length..].Trim();
        if (!text.StartsWith(OperatorTokenText.OperatorPrefix, StringComparison.Ordinal)) return Task.FromResult(AuthenticateResult.NoResult());
        if (!OperatorTokenText.TryParse(text, out var id, out var secret) || tokens.Find(id) is not { } token || !OperatorTokenText.Matches(secret, token.SecretSha256))
            return Fail(OtaProblemCodes.Unauthenticated, "unknown operator token");
        if (token.RevokedAt is not null) return Fail(OtaProblemCodes.TokenRevoked, $"operator token {id} is revoked");
        if (token.ExpiresAt is { } expires && expires <= clock.GetUtcNow()) return Fail(OtaProblemCodes.TokenExpired, $"operator token {id} expired at {expires:O}");
        var identity = new OperatorIdentity(token.Id, token.Label, token.Role, token.Groups);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(identity.ToPrincipal(), Scheme.Name)));
    }

    private Task<AuthenticateResult> Fail(string code, string message)
    {
        Context.Items[FailureCodeItem] = (code, message);
        return Task.FromResult(AuthenticateResult.Fail(message));
    }
}
