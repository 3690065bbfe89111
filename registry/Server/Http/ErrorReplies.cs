using System.Text.Json;
using AtymSecure.Oci.Wire;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Http;

/// <summary>Writes the spec's JSON error body <c>{"errors":[{code,message,detail}]}</c>.</summary>
internal static class ErrorReplies
{
    public static async Task WriteAsync(HttpContext context, int status, string code, string message, object? detail = null,
        IEnumerable<KeyValuePair<string, string>>? headers = null)
    {
        var response = context.Response;
        if (response.HasStarted) return;
        response.Clear();
        response.StatusCode = status;
        if (headers is not null)
        {
            foreach (var (name, value) in headers) response.Headers[name] = value;
        }
        response.Headers[OciHeaders.ApiVersion] = "registry/2.0";
        var body = JsonSerializer.SerializeToUtf8Bytes(new ErrorResponse([new ErrorEntry(code, message, detail)]), OciJson.Options);
        response.ContentType = "application/json";
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
