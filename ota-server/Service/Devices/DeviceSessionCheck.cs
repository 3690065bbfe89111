using System.Security.Claims;
using AtymSecure.OtaContracts;
using AtymSecure.OtaStore;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// The checks of a device session's bearer token (trust model §8), in one place for the two callers that make them: the
/// authentication handler of every device endpoint (<see cref="DeviceAuthenticationHandler"/>) and the poll's fast path
/// (<see cref="Endpoints.PollFastPath"/>). Valid means: our MAC, not expired, and the device is active now under the
/// token's epoch (<see cref="DeviceStates"/>, in memory), so a decommissioned or rotated device's old sessions fail at once.
/// </summary>
public sealed class DeviceSessionCheck(DeviceSessionTokens tokens, DeviceStates states, TimeProvider clock)
{
    public const string BearerPrefix = "Bearer " + DeviceSessionTokens.Prefix;

    /// <summary>Null when <paramref name="authorization"/> carries no device session at all (another scheme's business).</summary>
    public DeviceSessionVerdict? Check(string authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (!authorization.StartsWith(BearerPrefix, StringComparison.Ordinal)) return null;
        var session = tokens.Read(authorization["Bearer ".Length..].Trim());
        if (session is null) return DeviceSessionVerdict.Refused(OtaProblemCodes.SessionInvalid, "not a session token of this server");
        if (session.ExpiresAt <= clock.GetUtcNow().ToUnixTimeSeconds()) return DeviceSessionVerdict.Refused(OtaProblemCodes.TokenExpired, "the session expired: fetch a new challenge");
        if (states.Get(session.DeviceId) is not { State: DeviceState.Active } device || device.Epoch != session.Epoch)
            return DeviceSessionVerdict.Refused(OtaProblemCodes.TokenRevoked, "the session was revoked (device decommissioned or its key rotated)");
        return new DeviceSessionVerdict(session, device, null, null);
    }

    /// <summary>The principal of an authenticated device session: one claim, the device id.</summary>
    public static ClaimsPrincipal Principal(string deviceId) =>
        new(new ClaimsIdentity([new Claim(DeviceAuthenticationHandler.DeviceIdClaim, deviceId)], DeviceAuthenticationHandler.SchemeName));
}

/// <summary>A checked session: <see cref="Session"/> and <see cref="Device"/> when valid, else the problem code and message.</summary>
public sealed record DeviceSessionVerdict(DeviceSession? Session, DeviceSnapshot? Device, string? FailureCode, string? FailureMessage)
{
    public static DeviceSessionVerdict Refused(string code, string message) => new(null, null, code, message);
}
