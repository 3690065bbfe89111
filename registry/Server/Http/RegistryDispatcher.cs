using AtymSecure.Oci.Wire;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Http;

/// <summary>
/// The one endpoint behind <c>/v2/{**path}</c>: parses the path with <see cref="RegistryRoute"/>
/// (names with slashes cannot be expressed as route templates) and calls the handler for the
/// method and kind. Unknown paths are 404, wrong methods 405, both with a spec error body.
/// </summary>
internal static class RegistryDispatcher
{
    public static Task HandleAsync(HttpContext context, RegistryServices services)
    {
        var response = context.Response;
        response.Headers[OciHeaders.ApiVersion] = "registry/2.0";
        var path = context.Request.Path.Value ?? "";
        var rest = path.Length <= 4 ? "" : path[4..]; // after "/v2/"
        var route = RegistryRoute.Parse(rest)
            ?? throw new RegistryException(404, ErrorCodes.NameUnknown, $"'{RegistryException.Truncate(path, 200)}' is not a registry API path");
        if (route.Kind != RouteKind.Base) RequestParsing.RequireValidName(route.Name);
        var method = context.Request.Method;
        return (route.Kind, method) switch
        {
            (RouteKind.Base, "GET" or "HEAD") => BaseAsync(context, services),
            (RouteKind.Blob, "GET" or "HEAD") => BlobHandlers.GetAsync(context, route, services),
            (RouteKind.Blob, "DELETE") => BlobHandlers.DeleteAsync(context, route, services),
            (RouteKind.UploadStart, "POST") => UploadHandlers.StartAsync(context, route, services),
            (RouteKind.UploadSession, "PATCH") => UploadHandlers.PatchAsync(context, route, services),
            (RouteKind.UploadSession, "PUT") => UploadHandlers.PutAsync(context, route, services),
            (RouteKind.UploadSession, "GET") => UploadHandlers.StatusAsync(context, route, services),
            (RouteKind.UploadSession, "DELETE") => UploadHandlers.CancelAsync(context, route, services),
            (RouteKind.Manifest, "GET" or "HEAD") => ManifestHandlers.GetAsync(context, route, services),
            (RouteKind.Manifest, "PUT") => ManifestHandlers.PutAsync(context, route, services),
            (RouteKind.Manifest, "DELETE") => ManifestHandlers.DeleteAsync(context, route, services),
            (RouteKind.TagList, "GET") => TagHandlers.ListAsync(context, route, services),
            (RouteKind.Referrers, "GET") => ReferrerHandlers.ListAsync(context, route, services),
            _ => throw new RegistryException(405, ErrorCodes.Unsupported, $"{method} is not supported on {route.Kind} paths"),
        };
    }

    private static async Task BaseAsync(HttpContext context, RegistryServices services)
    {
        services.Authorizer.Demand(context, null);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 2;
        if (!HttpMethods.IsHead(context.Request.Method)) await context.Response.WriteAsync("{}", context.RequestAborted).ConfigureAwait(false);
    }

    public static void RequireDeleteEnabled(RegistryServices services)
    {
        if (!services.Options.EnableDelete)
            throw new RegistryException(405, ErrorCodes.Unsupported, "deletion is disabled on this registry");
    }
}
