using AtymSecure.OtaDashboard.Pages;
using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaDashboard.Endpoints;

/// <summary><c>GET /ui/releases</c>: every imported release by container and version, its vendor-verified manifest, who signed
/// it and the attestations that verified, its security counter, the compiled image per device class with its size and
/// compiler-signed referrer, and the delta bundles cut to it so far (the bundle store's cut index).</summary>
internal static class ReleaseEndpoints
{
    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/releases", ListAsync);

    private static async Task<IResult> ListAsync(HttpContext context, IReleaseStore releases)
    {
        var all = await releases.ListAsync(null, context.RequestAborted).ConfigureAwait(false);
        var ordered = all.OrderBy(r => r.Container, StringComparer.Ordinal)
            .ThenByDescending(r => AtymSecure.Formats.Container.SemanticVersion.Parse(r.Version)).ToList();
        var files = context.RequestServices.GetService<IBundleStore>();
        var deltas = new Dictionary<string, IReadOnlyList<ReleaseDelta>>(StringComparer.Ordinal);
        foreach (var r in ordered)
            deltas[r.Id] = files is null ? [] : ReleaseDelta.Of(r, await files.CutsForAsync(r.Id, context.RequestAborted).ConfigureAwait(false), all);
        var keys = context.RequestServices.GetService<VendorKeyNames>() ?? VendorKeyNames.None;
        return Page.Render<ReleasesPage>(context, new ReleasesModel(ordered, deltas, keys));
    }
}
