using AtymSecure.Formats.DeviceProtocol;
using AtymSecure.OtaContracts;
using AtymSecure.Primitives;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AtymSecure.OtaServer.Http;

/// <summary>
/// Maps every refusal to problem+json in one place: <see cref="OtaProblemException"/> with its status; any other
/// <see cref="ProblemException"/> (a message reader's, a library's validation) as 400; ASP.NET's
/// <see cref="BadHttpRequestException"/> (body too large, malformed request) with its status. Anything else is a bug:
/// logged and answered 500 <c>internal-error</c> without internals. Also turns bare 4xx answers (routing's 404/405, say) into
/// problem+json.
/// </summary>
internal sealed class ProblemMiddleware(RequestDelegate next, ILogger<ProblemMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
            if (!context.Response.HasStarted && context.Response.StatusCode is >= 400 and < 500 && context.Response.ContentLength is null or 0
                && context.Response.ContentType is null)
            {
                var status = context.Response.StatusCode;
                await ProblemJson.WriteAsync(context, status switch
                {
                    404 => new OtaProblemException(404, OtaProblemCodes.NotFound, "path", $"no such resource: {Shorten(context.Request.Path)}"),
                    405 => new OtaProblemException(405, OtaProblemCodes.MethodNotAllowed, "method", $"{context.Request.Method} is not allowed here"),
                    415 => new OtaProblemException(415, OtaProblemCodes.UnsupportedMediaType, "Content-Type", "expected application/json"),
                    _ => new OtaProblemException(status, OtaProblemCodes.InvalidField, "$", "the request was refused"),
                }).ConfigureAwait(false);
            }
        }
        catch (OtaProblemException e)
        {
            await ProblemJson.WriteAsync(context, e).ConfigureAwait(false);
        }
        catch (DeviceProtocolException e)
        {
            await ProblemJson.WriteAsync(context, new OtaProblemException(e.Code == DeviceProtocolCodes.MessageTooLarge ? 413 : 400, e)).ConfigureAwait(false);
        }
        catch (ProblemException e)
        {
            await ProblemJson.WriteAsync(context, new OtaProblemException(400, e)).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e)
        {
            var (code, path) = e.StatusCode == 413 ? (OtaProblemCodes.BodyTooLarge, "body") : (OtaProblemCodes.InvalidRequest, BoundParameter(e.Message));
            await ProblemJson.WriteAsync(context, new OtaProblemException(e.StatusCode, code, path, e.Message)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing to answer.
        }
#pragma warning disable CA1031 // the last line of defence: a bug must not leak internals or kill the connection silently
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await ProblemJson.WriteAsync(context, new OtaProblemException(500, OtaProblemCodes.InternalError, "$", "internal error (logged on the server)")).ConfigureAwait(false);
        }
    }

    /// <summary>The parameter of ASP.NET's 'Failed to bind parameter "long? after" from "abc".', or "$".</summary>
    private static string BoundParameter(string message) =>
        System.Text.RegularExpressions.Regex.Match(message, "parameter \"(?:[^\" ]+ )?(\\w+)\"") is { Success: true } m ? m.Groups[1].Value : "$";

    private static string Shorten(PathString path) => path.Value is { Length: > 200 } v ? v[..200] + "…" : path.Value ?? "";
}
