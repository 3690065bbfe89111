using AtymSecure.OtaServer.Devices;
using AtymSecure.OtaServer.Metrics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaServer.Endpoints;

/// <summary>
/// Answers <c>GET /api/v1/devices/{id}/poll</c> with a valid session before routing, authentication and authorization
/// run. The poll is every device's heartbeat and nearly always a 304; on that path the generic pipeline — matching the
/// route table, an authentication ticket, a policy evaluation, binding the handler's parameters — cost more CPU than
/// the answer itself (bench/ota-poll). Only the checks those stages make for a poll are made here, through the same
/// pieces: <see cref="DeviceSessionCheck"/> (MAC, expiry, the device active under the token's epoch), the session's
/// device equal to the path's, and the rate limiter (<see cref="DeviceCaller.Admit"/>, counted once: the request goes
/// no further). The answer is <see cref="PollEndpoints.AnswerAsync"/>, the routed endpoint's own.
/// <para>
/// Anything else — another method or path shape, no or a bad session, another device's id — goes on down the pipeline
/// untouched, where the routed endpoint gives its specific answer (401 with the refusal's code, 404). So this path can
/// only answer what the routed path would answer, byte for byte; it sits after <c>ProblemMiddleware</c>, so a refusal of
/// the rate limiter is the same problem+json. It sets the device's principal and the routed poll endpoint on the context,
/// so the request log and the request-duration metric name the caller and the route as for a routed request.
/// </para>
/// </summary>
internal sealed class PollFastPath(RequestDelegate next, DeviceSessionCheck sessions, DeviceCaller caller, PollAnswers answers, OtaMeters metrics,
    EndpointDataSource endpoints)
{
    private const string Prefix = "/api/v1/devices/";
    private const string Suffix = "/poll";
    private RouteEndpoint? _poll;

    /// <summary>The routed poll endpoint, found once (the route table is complete when the first request arrives).</summary>
    private RouteEndpoint Poll => _poll ??= endpoints.Endpoints.OfType<RouteEndpoint>().Single(e => e.RoutePattern.RawText == PollEndpoints.PollRoute
        && e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.Contains(HttpMethods.Get) == true);

    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsGet(request.Method) || DeviceIdIn(request.Path.Value) is not { } id) return next(context);
        if (sessions.Check(request.Headers.Authorization.ToString()) is not { Session: { } session, Device: { } device } || session.DeviceId != id)
            return next(context);
        return AnswerAsync(context, id, device);
    }

    private async Task AnswerAsync(HttpContext context, string id, DeviceSnapshot device)
    {
        context.User = DeviceSessionCheck.Principal(id);
        context.SetEndpoint(Poll);
        caller.Admit(id);
        var result = await PollEndpoints.AnswerAsync(context, id, device, answers, metrics).ConfigureAwait(false);
        await result.ExecuteAsync(context).ConfigureAwait(false);
    }

    /// <summary>The <c>{id}</c> of a path of exactly the poll's shape (one non-empty segment between prefix and suffix), else null.</summary>
    internal static string? DeviceIdIn(string? path)
    {
        if (path is null || path.Length <= Prefix.Length + Suffix.Length
            || !path.StartsWith(Prefix, StringComparison.Ordinal) || !path.EndsWith(Suffix, StringComparison.Ordinal)) return null;
        var id = path.AsSpan(Prefix.Length, path.Length - Prefix.Length - Suffix.Length);
        return id.Contains('/') ? null : id.ToString();
    }
}
