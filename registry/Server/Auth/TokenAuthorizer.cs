using AtymSecure.Oci.Wire;
using AtymSecure.Registry.Http;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Auth;

/// <summary>
/// Enforces bearer tokens on <c>/v2/</c>. No or bad token: 401 UNAUTHORIZED with
/// <c>WWW-Authenticate: Bearer realm,service,scope</c> so clients fetch one. A token that covers the
/// repository but lacks the action: 403 DENIED (the token endpoint already refused it). A token that does
/// not mention the repository, or lacks an action the account does have: 401 with the needed scope
/// (error="insufficient_scope"), so the client asks for a wider token. The bearer token is checked
/// once per request by <see cref="AuthenticateAsync"/>, which the server's pipeline runs first.
/// </summary>
public sealed class TokenAuthorizer(TokenService tokens) : IRegistryAuthorizer
{
    private const string ClaimsKey = "atym.registry.token";

    public void Demand(HttpContext context, string? repository, params string[] actions)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(actions);
        var claims = Claims(context);
        if (claims is null) throw Challenge(context, repository, actions, "authentication required: get a token from the realm in WWW-Authenticate", null);
        if (repository is null) return;
        var entries = claims.Access.Where(a => a.Type == "repository" && a.Name == repository).ToList();
        if (entries.Count == 0) throw Challenge(context, repository, actions, $"the token grants nothing on '{repository}'", "insufficient_scope");
        var granted = entries.SelectMany(e => e.Actions).ToHashSet(StringComparer.Ordinal);
        var missing = actions.Where(a => !granted.Contains(a)).ToList();
        // Rights the account has but this token did not ask for: 401 so the client fetches a wider token.
        if (missing.Count > 0 && missing.All(a => tokens.IsAllowed(claims.Subject, repository, a)))
            throw Challenge(context, repository, actions, $"the token does not include {string.Join(", ", missing)} on '{repository}'", "insufficient_scope");
        if (missing.Count > 0)
            throw new RegistryException(403, ErrorCodes.Denied,
                $"'{claims.Subject}' may not {string.Join(", ", missing)} on '{repository}'",
                new { repository, missing });
    }

    public bool CanPull(HttpContext context, string repository) =>
        Claims(context)?.Access.Any(a => a.Type == "repository" && a.Name == repository && a.Actions.Contains(RegistryActions.Pull)) == true;

    /// <summary>Checks the request's bearer token (if any) and keeps its claims for <see cref="Demand"/> and <see cref="CanPull"/>.</summary>
    public async Task AuthenticateAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        TokenClaims? claims = null;
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) claims = await tokens.ValidateAsync(header[7..].Trim()).ConfigureAwait(false);
        context.Items[ClaimsKey] = claims;
    }

    private static TokenClaims? Claims(HttpContext context) =>
        context.Items.TryGetValue(ClaimsKey, out var claims)
            ? claims as TokenClaims
            : throw new InvalidOperationException("the request was not authenticated: the pipeline must run TokenAuthorizer.AuthenticateAsync first");

    private RegistryException Challenge(HttpContext context, string? repository, string[] actions, string message, string? error)
    {
        var realm = tokens.Config.Realm ?? $"{context.Request.Scheme}://{context.Request.Host}/token";
        var challenge = $"Bearer realm=\"{realm}\",service=\"{tokens.Config.Service}\"";
        if (repository is not null)
        {
            // Pushers also need pull (clients check for existing blobs), as Docker clients expect.
            var scopeActions = actions.Contains(RegistryActions.Push) ? actions.Append(RegistryActions.Pull).Distinct() : actions;
            challenge += $",scope=\"repository:{repository}:{string.Join(',', scopeActions)}\"";
        }
        if (error is not null) challenge += $",error=\"{error}\"";
        var exception = new RegistryException(401, ErrorCodes.Unauthorized, message);
        exception.Headers["WWW-Authenticate"] = challenge;
        return exception;
    }
}
