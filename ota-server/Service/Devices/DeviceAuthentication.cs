using System.Security.Claims;
using System.Text.Encodings.Web;
using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Authenticates <c>Authorization: Bearer atym-session-v1.…</c>: our MAC, not expired, and the epoch and state the device
/// has now (<see cref="DeviceStates"/>, in memory). A decommissioned or rotated device's old sessions fail here at once.
/// </summary>
internal sealed class DeviceAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    DeviceSessionTokens tokens, DeviceStates states, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AtymDeviceSession";
    public const string DeviceIdClaim = "atym:device-id";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer " + DeviceSessionTokens.Prefix, StringComparison.Ordinal)) return Task.FromResult(AuthenticateResult.NoResult());
        var session = tokens.Read(header["Bearer ".Length..].Trim());
        if (session is null) return Fail(OtaProblemCodes.SessionInvalid, "not a session token of this server");
        if (session.ExpiresAt <= clock.GetUtcNow().ToUnixTimeSeconds()) return Fail(OtaProblemCodes.TokenExpired, "the session expired: fetch a new challenge");
        if (states.Get(session.DeviceId) is not { State: DeviceState.Active } state || state.Epoch != session.Epoch)
            return Fail(OtaProblemCodes.TokenRevoked, "the session was revoked (device decommissioned or its key rotated)");
        var identity = new ClaimsIdentity([new Claim(DeviceIdClaim, session.DeviceId)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    private Task<AuthenticateResult> Fail(string code, string message)
    {
        Context.Items[Auth.OperatorAuthenticationHandler.FailureCodeItem] = (code, message);
        return Task.FromResult(AuthenticateResult.Fail(message));
    }
}
