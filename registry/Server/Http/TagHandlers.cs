using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Http;

/// <summary>
/// end-8a/8b: tags in ordinal order, <c>n</c> / <c>last</c> paging with an RFC 5988 <c>Link</c> to the next page.
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-tags
/// </summary>
internal static class TagHandlers
{
    public static async Task ListAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        services.Authorizer.Demand(context, route.Name, RegistryActions.Pull);
        var n = RequestParsing.NonNegativeInt(context.Request, "n");
        var last = context.Request.Query["last"].ToString();
        if (!services.Metadata.RepositoryExists(route.Name)) throw RegistryException.NameUnknown(route.Name);
        var limit = Math.Min(n ?? services.Options.TagsPageLimit, services.Options.TagsPageLimit);
        IReadOnlyList<string> tags = limit == 0 ? [] : services.Metadata.ListTags(route.Name, last.Length == 0 ? null : last, limit);
        if (tags.Count > limit)
        {
            tags = tags.Take(limit).ToList();
            context.Response.Headers.Link =
                $"</v2/{route.Name}/tags/list?n={limit}&last={Uri.EscapeDataString(tags[^1])}>; rel=\"next\"";
        }
        var body = JsonSerializer.SerializeToUtf8Bytes(new TagList(route.Name, tags), TagListJson.Options);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private sealed record TagList(string Name, IReadOnlyList<string> Tags);

    private static class TagListJson
    {
        public static JsonSerializerOptions Options { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };
    }
}
