using AtymSecure.Oci.Wire;
using AtymSecure.Registry.Storage;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Http;

/// <summary>
/// end-2 (GET/HEAD blob, with Range) and end-10 (DELETE blob).
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pulling-blobs
/// </summary>
internal static class BlobHandlers
{
    public static async Task GetAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        var digest = RequestParsing.RequireDigest(route.Reference);
        services.Authorizer.Demand(context, route.Name, RegistryActions.Pull);
        if (!services.Metadata.HasBlobLink(route.Name, digest.ToString())) throw RegistryException.BlobUnknown(route.Name, digest);
        var blob = services.Blobs.TryGet(digest) ?? throw RegistryException.BlobUnknown(route.Name, digest);

        var response = context.Response;
        response.Headers[OciHeaders.ContentDigest] = digest.ToString();
        response.Headers.AcceptRanges = "bytes";
        response.Headers.ETag = $"\"{digest}\"";
        response.ContentType = MediaTypes.OctetStream;
        var outcome = ByteRange.Resolve(context.Request.Headers.Range.ToString(), blob.Size, out var range);
        if (outcome == ByteRange.Outcome.Unsatisfiable)
        {
            var error = new RegistryException(416, ErrorCodes.SizeInvalid,
                $"Range '{RegistryException.Truncate(context.Request.Headers.Range.ToString(), 100)}' cannot be satisfied for a blob of {blob.Size} bytes");
            error.Headers["Content-Range"] = $"bytes */{blob.Size}";
            throw error;
        }
        if (outcome == ByteRange.Outcome.Partial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {range.Offset}-{range.Offset + range.Length - 1}/{blob.Size}";
        }
        response.ContentLength = range.Length;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await SendAsync(context, services.Blobs, blob, range).ConfigureAwait(false);
    }

    /// <summary>sendfile(2) for local files; a plain stream copy for other backends.</summary>
    private static async Task SendAsync(HttpContext context, IBlobStore blobs, BlobInfo blob, ByteRange range)
    {
        if (range.Length == 0) return;
        if (blob.LocalPath is { } path)
        {
            await context.Response.SendFileAsync(path, range.Offset, range.Length, context.RequestAborted).ConfigureAwait(false);
            return;
        }
        await using var stream = blobs.OpenRead(blob.Digest);
        stream.Seek(range.Offset, SeekOrigin.Begin);
        var buffer = new byte[1 << 20];
        var remaining = range.Length;
        while (remaining > 0)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), context.RequestAborted).ConfigureAwait(false);
            if (read == 0) break;
            await context.Response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted).ConfigureAwait(false);
            remaining -= read;
        }
    }

    public static Task DeleteAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        var digest = RequestParsing.RequireDigest(route.Reference);
        services.Authorizer.Demand(context, route.Name, RegistryActions.Delete);
        RegistryDispatcher.RequireDeleteEnabled(services);
        // Only the repository's link goes; the file is reclaimed by garbage collection once nothing references it.
        if (!services.Metadata.RemoveBlobLink(route.Name, digest.ToString())) throw RegistryException.BlobUnknown(route.Name, digest);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }
}
