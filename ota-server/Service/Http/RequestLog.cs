using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaServer.Http;

/// <summary>
/// One structured log line per request (logger <c>AtymSecure.OtaServer.Requests</c>): method, route pattern (not the raw
/// path, so device ids and tokens in paths do not multiply log cardinality), status, milliseconds, and who — the
/// operator token id or the device id, never a secret.
/// </summary>
internal sealed partial class RequestLog(RequestDelegate next, ILogger<RequestLog> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            var who = OtaContracts.OperatorIdentity.From(context.User)?.TokenId is { } op ? "token:" + op
                : context.User.FindFirst(Devices.DeviceAuthenticationHandler.DeviceIdClaim)?.Value is { } device ? "device:" + device : "anonymous";
            Log(logger, context.Request.Method, route, context.Response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds, who);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Route} {Status} {ElapsedMs:F1} ms {Caller}")]
    private static partial void Log(ILogger logger, string method, string route, int status, double elapsedMs, string caller);
}
