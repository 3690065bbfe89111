using System.Text.Json;
using AtymSecure.Oci.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using AtymSecure.Primitives;

namespace AtymSecure.Registry.Http;

/// <summary>
/// Backstop that turns every exception into a spec error body. Typed refusals keep their status;
/// malformed-input exceptions from anywhere below (bad HTTP framing, bad JSON, bad digests) become 4xx,
/// so hostile input never produces a 500. Only genuine server faults (disk errors) are 500s, and logged.
/// </summary>
internal sealed class RegistryErrorMiddleware(RequestDelegate next, ILogger<RegistryErrorMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (RegistryException e)
        {
            await ErrorReplies.WriteAsync(context, e.Status, e.Code, e.Message, e.Detail, e.Headers).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nobody is left to answer.
        }
        catch (BadHttpRequestException e)
        {
            var status = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? 413 : 400;
            var code = status == 413 ? ErrorCodes.SizeInvalid : ErrorCodes.BlobUploadInvalid;
            await ErrorReplies.WriteAsync(context, status, code, $"malformed request: {e.Message}").ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDigestException)
        {
            await ErrorReplies.WriteAsync(context, 400, ErrorCodes.DigestInvalid, e.Message).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException or InvalidDataException)
        {
            await ErrorReplies.WriteAsync(context, 400, ErrorCodes.Unsupported, $"malformed request: {e.Message}").ConfigureAwait(false);
        }
        catch (IOException e) when (context.RequestAborted.IsCancellationRequested || e.InnerException is BadHttpRequestException)
        {
            await ErrorReplies.WriteAsync(context, 400, ErrorCodes.BlobUploadInvalid, $"request body could not be read: {e.Message}").ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "internal error on {Method} {Path}", context.Request.Method, context.Request.Path);
            await ErrorReplies.WriteAsync(context, 500, "UNKNOWN", "internal server error; see the registry log").ConfigureAwait(false);
        }
    }
}
