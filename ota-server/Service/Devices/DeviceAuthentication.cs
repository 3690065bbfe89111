using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// Authenticates <c>Authorization: Bearer atym-session-v1.…</c> with <see cref="DeviceSessionCheck"/> (our MAC, not
/// expired, the device's epoch and state now); a refusal's problem code reaches the 401 answer through the context.
/// </summary>
internal sealed class DeviceAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, DeviceSessionCheck sessions)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "AtymDeviceSession";
    public const string DeviceIdClaim = "atym:device-id";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (sessions.Check(Request.Headers.Authorization.ToString()) is not { } verdict) return Task.FromResult(AuthenticateResult.NoResult());
        if (verdict.Session is not { } session) return Fail(verdict.FailureCode!, verdict.FailureMessage!);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(DeviceSessionCheck.Principal(session.DeviceId), SchemeName)));
    }

    private Task<AuthenticateResult> Fail(string code, string message)
    {
        Context.Items[Auth.OperatorAuthenticationHandler.FailureCodeItem] = (code, message);
        return Task.FromResult(AuthenticateResult.Fail(message));
    }
}
