using System.Text.Json;
using AtymSecure.Oci.Wire;
using AtymSecure.Registry.Storage;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Http;

/// <summary>
/// end-12a/12b: an image index of every manifest in the repository whose subject is the digest, with
/// artifactType and annotations copied; <c>artifactType</c> filter (reported by <c>OCI-Filters-Applied</c>);
/// pages continued via <c>Link</c>. Never 404: an unknown digest has an empty index.
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-referrers
/// </summary>
internal static class ReferrerHandlers
{
    public static async Task ListAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        var subject = RequestParsing.RequireDigest(route.Reference);
        services.Authorizer.Demand(context, route.Name, RegistryActions.Pull);
        var request = context.Request;
        IEnumerable<ManifestRecord> referrers = services.Metadata.ListReferrers(route.Name, subject.ToString());
        var filters = request.Query["artifactType"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).ToHashSet(StringComparer.Ordinal);
        if (filters.Count > 0)
        {
            referrers = referrers.Where(r => r.ArtifactType is not null && filters.Contains(r.ArtifactType));
            context.Response.Headers[OciHeaders.FiltersApplied] = "artifactType";
        }
        var after = request.Query["last"].ToString();
        if (after.Length > 0) referrers = referrers.Where(r => string.CompareOrdinal(r.Digest, after) > 0);
        var pageSize = services.Options.ReferrersPageSize;
        var page = referrers.Take(pageSize + 1).ToList();
        if (page.Count > pageSize)
        {
            page.RemoveAt(pageSize);
            var query = string.Concat(filters.Select(f => $"artifactType={Uri.EscapeDataString(f)}&"));
            context.Response.Headers.Link = $"</v2/{route.Name}/referrers/{subject}?{query}last={Uri.EscapeDataString(page[^1].Digest)}>; rel=\"next\"";
        }
        var body = Serialize(page);
        context.Response.ContentType = MediaTypes.ImageIndex;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static byte[] Serialize(IReadOnlyList<ManifestRecord> referrers)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("schemaVersion", 2);
            writer.WriteString("mediaType", MediaTypes.ImageIndex);
            writer.WriteStartArray("manifests");
            foreach (var r in referrers)
            {
                writer.WriteStartObject();
                writer.WriteString("mediaType", r.MediaType);
                writer.WriteString("digest", r.Digest);
                writer.WriteNumber("size", r.Size);
                if (r.ArtifactType is not null) writer.WriteString("artifactType", r.ArtifactType);
                if (r.AnnotationsJson is not null)
                {
                    writer.WritePropertyName("annotations");
                    writer.WriteRawValue(r.AnnotationsJson, skipInputValidation: true);
                }
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
