using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace AtymSecure.OtaDashboard.Endpoints;

/// <summary>
/// <c>GET /ui/assets/{path}</c>: the stylesheet, the page script and the vendored chart library, embedded in this assembly
/// (Assets/), so the dashboard works offline and needs no file beside the binary. Each answer carries a strong ETag
/// (SHA-256 of the bytes) and is cached until it changes.
/// </summary>
internal static class AssetEndpoints
{
    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    public static void Map(RouteGroupBuilder ui) => ui.MapGet("/assets/{**path}", (HttpContext context, string path) =>
    {
        if (!Assets.TryGetValue(path, out var asset)) return Results.NotFound();
        context.Response.Headers.CacheControl = "no-cache";
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag) return Results.StatusCode(StatusCodes.Status304NotModified);
        context.Response.Headers.ETag = asset.ETag;
        return Results.Bytes(asset.Bytes, asset.ContentType);
    });

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(AssetEndpoints).Assembly;
        var found = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("ui/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var bytes = copy.ToArray();
            var type = Path.GetExtension(name) switch
            {
                ".js" => "text/javascript; charset=utf-8",
                ".css" => "text/css; charset=utf-8",
                ".md" => "text/markdown; charset=utf-8",
                _ => "application/octet-stream",
            };
            found[name["ui/".Length..]] = new Asset(bytes, type, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..32] + "\"");
        }
        return found.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
