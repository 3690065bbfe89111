using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaServer.Http;

/// <summary>
/// One structured log line per request (logger <c>AtymSecure.OtaServer.Http.RequestLog</c>): method, route pattern (not the raw
/// path, so device ids and tokens in paths do not multiply log cardinality), status, milliseconds, and who — the
/// operator token id or the device id, never a secret. A 304 is logged at Debug: it is the heartbeat of every device's
/// poll (100k devices every 5 min are 333 a second, most of them 304) and the poll metric counts it; a line each
/// would cost more CPU than answering it. Everything else is logged at Information.
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
            var level = context.Response.StatusCode == StatusCodes.Status304NotModified ? LogLevel.Debug : LogLevel.Information;
            if (logger.IsEnabled(level)) Write(context, level, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private void Write(HttpContext context, LogLevel level, double elapsedMs)
    {
        var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
        var who = OtaContracts.OperatorIdentity.From(context.User)?.TokenId is { } op ? "token:" + op
            : context.User.FindFirst(Devices.DeviceAuthenticationHandler.DeviceIdClaim)?.Value is { } device ? "device:" + device : "anonymous";
        Log(logger, level, context.Request.Method, route, context.Response.StatusCode, elapsedMs, who);
    }

    [LoggerMessage(Message = "{Method} {Route} {Status} {ElapsedMs:F1} ms {Caller}")]
    private static partial void Log(ILogger logger, LogLevel level, string method, string route, int status, double elapsedMs, string caller);
}
