using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Auth;

/// <summary>The one check of an operator token's text against <see cref="IOperatorTokenStore"/>: the bearer scheme
/// (<see cref="OperatorAuthenticationHandler"/>) and the dashboard's login both use it.</summary>
internal sealed class OperatorTokenAuthenticator(IOperatorTokenStore tokens, TimeProvider clock) : IOperatorTokenAuthenticator
{
    public OperatorIdentity Authenticate(string tokenText)
    {
        if (!OperatorTokenText.TryParse(tokenText, out var id, out var secret) || tokens.Find(id) is not { } token || !OperatorTokenText.Matches(secret, token.SecretSha256))
            throw Refused(OtaProblemCodes.Unauthenticated, "unknown operator token");
        if (token.RevokedAt is not null) throw Refused(OtaProblemCodes.TokenRevoked, $"operator token {id} is revoked");
        if (token.ExpiresAt is { } expires && expires <= clock.GetUtcNow()) throw Refused(OtaProblemCodes.TokenExpired, $"operator token {id} expired at {expires:O}");
        return new OperatorIdentity(token.Id, token.Label, token.Role, token.Groups);
    }

    private static OtaProblemException Refused(string code, string message) => new(401, code, "Authorization", message);
}
