using AtymSecure.OtaDashboard.Pages;
using AtymSecure.OtaStore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaDashboard.Endpoints;

/// <summary><c>GET /ui/releases</c>: every imported release by container and version, its vendor-verified manifest, its security
/// counter, and the compiled image per device class with its size and compiler-signed referrer.</summary>
internal static class ReleaseEndpoints
{
    public static void Map(RouteGroupBuilder pages) => pages.MapGet("/releases", ListAsync);

    private static async Task<IResult> ListAsync(HttpContext context, IReleaseStore releases)
    {
        var all = await releases.ListAsync(null, context.RequestAborted).ConfigureAwait(false);
        var ordered = all.OrderBy(r => r.Container, StringComparer.Ordinal)
            .ThenByDescending(r => AtymSecure.Formats.Container.SemanticVersion.Parse(r.Version)).ToList();
        return Page.Render<ReleasesPage>(context, new ReleasesModel(ordered));
    }
}
