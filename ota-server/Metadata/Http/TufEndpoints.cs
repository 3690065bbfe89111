using System.Security.Cryptography;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.OtaMetadata.Repository;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AtymSecure.OtaMetadata.Http;

/// <summary>
/// The image repository's public HTTP face (docs/update-metadata.md §1), what tuf-js and our devices read:
/// <c>GET /tuf/metadata/{file}</c> (<c>N.root.json</c>, <c>timestamp.json</c>, <c>V.snapshot.json</c>, <c>V.ROLE.json</c>)
/// and <c>GET /tuf/targets/{path}</c> with TUF's hash-prefixed file names (<c>DIR/SHA256.NAME</c>). Versioned and
/// hash-named files never change, so they are <c>immutable</c> for a year; <c>timestamp.json</c> changes every
/// 12 h or on release and is cached for 60 s at most. Everything is public: the signatures, not access, decide
/// what a device trusts (docs/trust-model.md §8). Unknown names are 404.
/// </summary>
public static class TufEndpoints
{
    public const string MetadataPrefix = "/tuf/metadata/";
    public const string TargetsPrefix = "/tuf/targets/";
    public const string ImmutableCache = "public, max-age=31536000, immutable";
    public const string TimestampCache = "public, max-age=60";

    /// <summary>Maps the two public routes over the <see cref="ImageRepository"/> registered by <see cref="OtaMetadataServices.AddOtaMetadata"/>.</summary>
    public static IEndpointRouteBuilder MapTufEndpoints(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet(MetadataPrefix + "{file}", (string file, HttpContext context) =>
            ServeMetadata(context.RequestServices.GetRequiredService<ImageRepository>(), file, context)).AllowAnonymous();
        app.MapGet(TargetsPrefix + "{**path}", (string path, HttpContext context) =>
            ServeTarget(context.RequestServices.GetRequiredService<ImageRepository>(), path, context)).AllowAnonymous();
        return app;
    }

    private static IResult ServeMetadata(ImageRepository repository, string file, HttpContext context)
    {
        var bytes = repository.Metadata.Read(file);
        if (bytes is null) return NotFound($"no metadata file '{file}'");
        var versioned = char.IsAsciiDigit(file[0]);
        return Bytes(context, bytes, "application/json", versioned ? ImmutableCache : TimestampCache);
    }

    private static IResult ServeTarget(ImageRepository repository, string path, HttpContext context)
    {
        var slash = path.LastIndexOf('/');
        var fileName = path[(slash + 1)..];
        var dot = fileName.IndexOf('.', StringComparison.Ordinal);
        if (dot != 64 || !TufKey.IsLowerHex(fileName[..64])) return NotFound("target files are named DIR/SHA256.NAME");
        var sha256 = fileName[..64];
        var targetPath = (slash < 0 ? "" : path[..(slash + 1)]) + fileName[(dot + 1)..];
        var listed = repository.Published.Delegated.Values.Select(d => d.Signed.Targets.GetValueOrDefault(targetPath))
            .FirstOrDefault(t => t is not null && t.Sha256 == sha256);
        if (listed is null) return NotFound($"no published target '{targetPath}' with sha256 {sha256}");
        var content = repository.Content.Open(sha256);
        if (content is null) return NotFound($"target '{targetPath}' is listed but its bytes are not held here");
        context.Response.Headers.CacheControl = ImmutableCache;
        context.Response.Headers.ETag = $"\"{sha256}\"";
        return Results.Stream(content, "application/octet-stream", enableRangeProcessing: true);
    }

    private static IResult Bytes(HttpContext context, byte[] bytes, string contentType, string cacheControl)
    {
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))}\"";
        context.Response.Headers.CacheControl = cacheControl;
        context.Response.Headers.ETag = etag;
        if (context.Request.Headers.IfNoneMatch == etag) return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(bytes, contentType);
    }

    private static IResult NotFound(string detail) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "not found", detail: detail, type: "https://atym.dev/problems/not-found");
}
