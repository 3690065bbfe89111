using AtymSecure.OtaContracts;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.OtaServer.Devices;

/// <summary>
/// The per-request checks of device endpoints that need a session: the session's device is the one in the route (else
/// 404, trust model §8: the answer reveals nothing about other devices), and it is within its request budget (else 429
/// with Retry-After).
/// </summary>
public sealed class DeviceCaller(DeviceRateLimiter limiter)
{
    public void Require(HttpContext context, string routeId)
    {
        ArgumentNullException.ThrowIfNull(context);
        var sessionId = context.User.FindFirst(DeviceAuthenticationHandler.DeviceIdClaim)?.Value;
        if (sessionId != routeId) throw new OtaProblemException(404, OtaProblemCodes.NotFound, "id", "no such device");
        Admit(routeId);
    }

    public void Admit(string deviceId)
    {
        if (limiter.TryAdmit(deviceId) is { } wait)
            throw new OtaProblemException(429, OtaProblemCodes.RateLimited, "id", $"too many requests from this device; retry in {wait} s") { RetryAfterSeconds = wait };
    }
}
