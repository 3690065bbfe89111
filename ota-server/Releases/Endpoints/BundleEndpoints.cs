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
/// unsatisfiable range 416, <c>If-None-Match</c> 304. The bytes come from the <see cref="IBundleStore"/> (the data folder or an
/// object store), checked against the hash when sent whole; with <see cref="BundleRedirects"/> a GET answers <c>307</c> to
/// the object store's presigned URL instead (HEAD is still answered here). No authentication: bundles carry no secrets, the signed
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
        try
        {
            await ServeAsync(context, hex).ConfigureAwait(false);
        }
        catch (AtymSecure.ObjectStore.ObjectStoreException e) when (!context.Response.HasStarted)
        {
            // Before the first byte only: once streaming, the connection is cut (a device resumes with Range).
            throw new OtaProblemException(503, ReleaseProblemCodes.BundleStoreUnavailable, "hex", $"the bundle store cannot serve sha256:{hex} now ({e.Error}); retry later");
        }
    }

    private static async Task ServeAsync(HttpContext context, string hex)
    {
        if (!BundleFileStore.IsSha256Hex(hex))
            throw new OtaProblemException(400, ReleaseProblemCodes.BundleDigestInvalid, "hex", "expected 64 lower-case hex digits (the bundle's sha256)");
        var store = context.RequestServices.GetRequiredService<IBundleStore>();
        var ct = context.RequestAborted;
        if (HttpMethods.IsGet(context.Request.Method) && context.RequestServices.GetService<BundleRedirects>() is { } redirects)
        {
            // Only a bundle that is there is redirected: a missing one is our 404, not the object store's.
            if (await store.FindAsync(hex, ct).ConfigureAwait(false) is null)
                throw new OtaProblemException(404, ReleaseProblemCodes.BundleNotFound, "hex", $"no bundle sha256:{hex}");
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Headers.Location = redirects.Source.DownloadUrl(hex, redirects.Expiry).AbsoluteUri;
            context.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            return;
        }
        var stream = await store.OpenReadAsync(hex, ct).ConfigureAwait(false)
            ?? throw new OtaProblemException(404, ReleaseProblemCodes.BundleNotFound, "hex", $"no bundle sha256:{hex}");
        await using (stream.ConfigureAwait(false))
        {
            context.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            var result = Results.Stream(stream, SignedBundle.MediaType, enableRangeProcessing: true,
                entityTag: new EntityTagHeaderValue($"\"{hex}\""), lastModified: null);
            await result.ExecuteAsync(context).ConfigureAwait(false);
        }
        if (HttpMethods.IsGet(context.Request.Method) && context.Response.StatusCode is 200 or 206 && context.Response.ContentLength is { } sent
            && context.RequestServices.GetService<IOtaMetrics>() is { } metrics)
            metrics.BundleBytesServed(store.IsDelta(hex) == true ? BundleKind.Delta : BundleKind.Full, sent);
    }
}
