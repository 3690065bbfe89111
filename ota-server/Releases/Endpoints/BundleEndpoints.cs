using AtymSecure.Delivery.Bundles;
using AtymSecure.OtaContracts;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Import;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace AtymSecure.OtaReleases.Endpoints;

/// <summary>
/// Public, content-addressed bundle downloads (docs/trust-model.md §8 "Bundles"): <c>GET|HEAD /bundles/sha256/{hex}</c>.
/// The name is the content's hash, so the answer never changes: <c>Cache-Control: public, immutable</c> and a strong
/// ETag (the hash) let nginx or a CDN keep it; <c>Range</c> answers 206 (a device resuming a download), an
/// unsatisfiable range 416, <c>If-None-Match</c> 304. No authentication: bundles carry no secrets, the signed
/// director metadata decides what a device installs.
/// </summary>
public static class BundleEndpoints
{
    public const string Route = "/bundles/sha256/{hex}";

    public static IEndpointRouteBuilder MapBundleEndpoints(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        endpoints.MapMethods(Route, [HttpMethods.Get, HttpMethods.Head], Serve).AllowAnonymous().WithName("GetBundle");
        return endpoints;
    }

    private static async Task Serve(HttpContext context, string hex)
    {
        if (!BundleFileStore.IsSha256Hex(hex))
            throw new OtaProblemException(400, ReleaseProblemCodes.BundleDigestInvalid, "hex", "expected 64 lower-case hex digits (the bundle's sha256)");
        var store = context.RequestServices.GetRequiredService<BundleFileStore>();
        var file = store.Find(hex) ?? throw new OtaProblemException(404, ReleaseProblemCodes.BundleNotFound, "hex", $"no bundle sha256:{hex}");
        context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
        var result = Results.File(file.FullName, SignedBundle.MediaType, enableRangeProcessing: true,
            entityTag: new EntityTagHeaderValue($"\"{hex}\""), lastModified: null);
        await result.ExecuteAsync(context).ConfigureAwait(false);
        if (HttpMethods.IsGet(context.Request.Method) && context.Response.StatusCode is 200 or 206 && context.Response.ContentLength is { } sent
            && context.RequestServices.GetService<IOtaMetrics>() is { } metrics)
            metrics.BundleBytesServed(store.IsDelta(hex) == true ? BundleKind.Delta : BundleKind.Full, sent);
    }
}
