using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Storage;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Http;

/// <summary>
/// Blob pushes: end-4a/4b/4c (POST), end-11 (mount), end-5 (PATCH, chunked or streamed), end-6 (PUT),
/// end-13 (status GET) and upload cancel (DELETE).
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-blobs
/// </summary>
internal static class UploadHandlers
{
    public static async Task StartAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        var request = context.Request;
        services.Authorizer.Demand(context, route.Name, RegistryActions.Push);
        if (request.Query.ContainsKey("mount"))
        {
            var mount = RequestParsing.RequireDigest(request.Query["mount"].ToString());
            if (TryMount(context, route.Name, request.Query["from"].ToString(), mount, services))
            {
                BlobCreated(context.Response, route.Name, mount);
                return;
            }
            // Not mountable: the spec's fallback is a normal new upload session (202).
        }
        else if (request.Query.ContainsKey("digest"))
        {
            var digest = RequestParsing.RequireSupportedDigest(request.Query["digest"].ToString());
            await services.Uploads.UploadWholeAsync(route.Name, request.Body, request.ContentLength, digest, context.RequestAborted)
                .ConfigureAwait(false);
            BlobCreated(context.Response, route.Name, digest);
            return;
        }

        var algorithm = request.Query["digest-algorithm"].ToString();
        if (algorithm.Length == 0) algorithm = Digest.Sha256;
        else if (algorithm != Digest.Sha256 && algorithm != Digest.Sha512)
            throw RegistryException.DigestInvalid(algorithm, "digest-algorithm must be sha256 or sha512");
        var session = services.Uploads.Start(route.Name, algorithm);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status202Accepted;
        SessionHeaders(response, session, 0);
        if (services.Options.ChunkMinLength > 0)
            response.Headers[OciHeaders.ChunkMinLength] = services.Options.ChunkMinLength.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Mounts from <paramref name="from"/> when given; without it (and with automatic cross-mount on)
    /// from any repository holding the blob that the caller may pull, so nothing leaks across rights.
    /// </summary>
    private static bool TryMount(HttpContext context, string name, string from, Digest digest, RegistryServices services)
    {
        var metadata = services.Metadata;
        var key = digest.ToString();
        if (services.Blobs.TryGet(digest) is null) return false;
        IEnumerable<string> sources = from.Length > 0
            ? (Reference.IsValidRepository(from) ? [from] : [])
            : services.Options.AutomaticCrossMount ? metadata.RepositoriesWithBlob(key) : [];
        foreach (var source in sources)
        {
            if (!metadata.HasBlobLink(source, key) || !services.Authorizer.CanPull(context, source)) continue;
            metadata.AddBlobLink(name, key);
            services.Blobs.Touch(digest);
            return true;
        }
        return false;
    }

    public static async Task PatchAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        services.Authorizer.Demand(context, route.Name, RegistryActions.Push);
        var session = services.Uploads.Find(route.Name, route.Reference);
        var range = RequestParsing.ChunkRange(context.Request);
        var declared = RequestParsing.DeclaredLength(context.Request, range);
        var length = await services.Uploads.AppendAsync(session, context.Request.Body, range?.Start, declared, context.RequestAborted)
            .ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        SessionHeaders(context.Response, session, length);
    }

    public static async Task PutAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        services.Authorizer.Demand(context, route.Name, RegistryActions.Push);
        var digestText = context.Request.Query["digest"];
        if (digestText.Count != 1) throw RegistryException.DigestInvalid(digestText.ToString(), "closing an upload needs exactly one ?digest= query parameter");
        var digest = RequestParsing.RequireSupportedDigest(digestText.ToString());
        var session = services.Uploads.Find(route.Name, route.Reference);
        var range = RequestParsing.ChunkRange(context.Request);
        var declared = RequestParsing.DeclaredLength(context.Request, range);
        await services.Uploads.CompleteAsync(session, context.Request.Body, range?.Start, declared, digest, context.RequestAborted)
            .ConfigureAwait(false);
        BlobCreated(context.Response, route.Name, digest);
    }

    public static Task StatusAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        services.Authorizer.Demand(context, route.Name, RegistryActions.Push);
        var session = services.Uploads.Find(route.Name, route.Reference);
        var length = services.Uploads.Length(session);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
        SessionHeaders(context.Response, session, length);
        return Task.CompletedTask;
    }

    public static async Task CancelAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        services.Authorizer.Demand(context, route.Name, RegistryActions.Push);
        var session = services.Uploads.Find(route.Name, route.Reference);
        await services.Uploads.CancelAsync(session, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static void SessionHeaders(HttpResponse response, UploadSessionRecord session, long length)
    {
        response.Headers.Location = $"/v2/{session.Repository}/blobs/uploads/{session.Id}";
        response.Headers["Range"] = Uploads.UploadService.RangeHeader(length);
        response.Headers[OciHeaders.UploadUuid] = session.Id;
        response.ContentLength = 0;
    }

    private static void BlobCreated(HttpResponse response, string name, Digest digest)
    {
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/v2/{name}/blobs/{digest}";
        response.Headers[OciHeaders.ContentDigest] = digest.ToString();
        response.ContentLength = 0;
    }
}
