namespace AtymSecure.OtaContracts;

/// <summary>
/// Checks the text of an operator token (<c>atym_ID_SECRET</c>) the way the API's bearer scheme does — known id, secret,
/// not revoked, not expired — for parts that take a token another way (the dashboard's login form and its session,
/// which re-checks on every request so a revoked token ends the session). The host registers the one implementation.
/// </summary>
public interface IOperatorTokenAuthenticator
{
    /// <summary>The operator the token names.</summary>
    /// <exception cref="OtaProblemException">401 with <c>unauthenticated</c>, <c>token-revoked</c> or <c>token-expired</c>.</exception>
    OperatorIdentity Authenticate(string tokenText);
}
