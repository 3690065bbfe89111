using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.OtaServer.Ddi;

/// <summary>How a DDI request was let in.</summary>
public enum DdiCredential
{
    TargetToken,
    GatewayToken,
    Anonymous,
}

/// <summary>
/// hawkBit's controller authentication for the DDI routes: <c>Authorization: TargetToken T</c> must be the token of
/// the controller in the path; <c>GatewayToken G</c> the tenant's gateway token (it may act for any controller of the
/// tenant and registers unknown ones, as in hawkBit); no header only with anonymous access on. A scheme switched off
/// counts as wrong. Every refusal is 401 with <c>WWW-Authenticate</c> naming the schemes that are on, and says nothing
/// about whether the controller exists. Tokens are compared against stored hashes in constant time.
/// </summary>
public sealed class DdiAuthentication(DdiOptions options, IDdiStore store)
{
    public DdiCredential Authenticate(HttpRequest request, string controllerId)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Authorization.ToString();
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        var (scheme, token) = space > 0 ? (header[..space], header[(space + 1)..].Trim()) : (header, "");
        if (scheme.Equals("TargetToken", StringComparison.OrdinalIgnoreCase) && options.TargetTokens
            && store.FindTarget(controllerId) is { } target && DdiTokens.Matches(token, DdiTokens.TargetPrefix, target.TokenId, target.TokenSha256))
            return DdiCredential.TargetToken;
        if (scheme.Equals("GatewayToken", StringComparison.OrdinalIgnoreCase) && options.GatewayTokens
            && store.FindGatewayToken(options.Tenant) is { } gateway && DdiTokens.Matches(token, DdiTokens.GatewayPrefix, gateway.TokenId, gateway.TokenSha256))
            return DdiCredential.GatewayToken;
        if (header.Length == 0 && options.Anonymous) return DdiCredential.Anonymous;
        request.HttpContext.Response.Headers.WWWAuthenticate = string.Join(", ",
            new[] { options.TargetTokens ? "TargetToken" : null, options.GatewayTokens ? "GatewayToken" : null }.Where(s => s is not null));
        throw new OtaProblemException(401, DdiServerProblemCodes.Unauthenticated, "Authorization",
            header.Length == 0 ? "credentials required (TargetToken or GatewayToken)" : "not a valid token for this controller or tenant");
    }
}
