using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;
using AtymSecure.Registry.Storage;
using Microsoft.AspNetCore.Http;

namespace AtymSecure.Registry.Http;

/// <summary>
/// end-3 (GET/HEAD manifest), end-7 (PUT, with ?tag=), end-9 (DELETE by tag or digest).
/// Manifests are kept byte-exact with the Content-Type they were pushed with and served as such
/// whatever the Accept lines say (clients verify the digest, so no conversion is ever done).
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#pushing-manifests
/// </summary>
internal static class ManifestHandlers
{
    public static async Task GetAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        services.Authorizer.Demand(context, route.Name, RegistryActions.Pull);
        var record = Resolve(route, services) ?? throw RegistryException.ManifestUnknown(route.Name, route.Reference);
        var response = context.Response;
        response.ContentType = record.MediaType;
        response.Headers[OciHeaders.ContentDigest] = record.Digest;
        response.Headers.ETag = $"\"{record.Digest}\"";
        response.ContentLength = record.Size;
        if (HttpMethods.IsHead(context.Request.Method)) return;
        var content = await ContentAsync(record, services, context.RequestAborted).ConfigureAwait(false);
        await response.Body.WriteAsync(content, context.RequestAborted).ConfigureAwait(false);
    }

    public static async Task PutAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        var request = context.Request;
        services.Authorizer.Demand(context, route.Name, RegistryActions.Push);
        var (tag, pinned) = ParseReference(route.Reference);
        var tags = new List<string>();
        if (tag is not null) tags.Add(tag);
        foreach (var extra in request.Query["tag"])
        {
            if (!Reference.IsValidTag(extra)) throw InvalidTag(extra);
            if (!tags.Contains(extra!)) tags.Add(extra!);
        }

        var content = await ReadBodyAsync(request, context.RequestAborted).ConfigureAwait(false);
        var digest = Digest.Compute(content, pinned?.Algorithm is { } a && (a == Digest.Sha512) ? Digest.Sha512 : Digest.Sha256);
        if (pinned is { } expected && expected != digest)
        {
            if (!expected.IsSupported) throw RegistryException.DigestInvalid(expected.ToString(), "only sha256 and sha512 are supported");
            throw RegistryException.DigestInvalid(expected.ToString(), $"the manifest bytes have digest {digest}");
        }
        var contentType = MediaTypeOf(request.ContentType);
        ManifestFacts facts;
        try
        {
            facts = ManifestFacts.Parse(content, contentType);
        }
        catch (InvalidManifestException e)
        {
            throw new RegistryException(400, ErrorCodes.ManifestInvalid, e.Message, e.Errors);
        }
        var missing = facts.Blobs.Where(b => !b.External && !services.Metadata.HasBlobLink(route.Name, b.Digest.ToString()))
            .Select(b => b.Digest.ToString()).Distinct().ToList();
        if (missing.Count > 0)
            throw new RegistryException(400, ErrorCodes.ManifestBlobUnknown,
                $"push these blobs to '{route.Name}' before the manifest: {string.Join(", ", missing.Take(10))}", missing);

        var warning = tags.Count > 0 ? await DemandTagMoveAsync(route, tags, digest, facts.MediaType, content, services, context.RequestAborted).ConfigureAwait(false) : null;

        // Restart the GC grace period of everything this manifest now keeps alive.
        foreach (var blob in facts.Blobs.Where(b => !b.External)) services.Blobs.Touch(blob.Digest);
        await services.Blobs.PutAsync(digest, content, context.RequestAborted).ConfigureAwait(false);
        services.ManifestCache.Add(digest.ToString(), content);
        services.Metadata.PutManifest(new ManifestRecord
        {
            Repository = route.Name,
            Digest = digest.ToString(),
            MediaType = facts.MediaType,
            Size = content.Length,
            Subject = facts.Subject?.ToString(),
            ArtifactType = facts.ArtifactType,
            AnnotationsJson = facts.Annotations is { Count: > 0 } annotations
                ? System.Text.Json.JsonSerializer.Serialize(annotations) : null,
            Blobs = facts.Blobs.Select(b => b.Digest.ToString()).Distinct().ToList(),
            Children = facts.Children.Select(c => c.ToString()).Distinct().ToList(),
            PushedUnixMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        }, tags);

        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.Headers.Location = $"/v2/{route.Name}/manifests/{digest}";
        response.Headers[OciHeaders.ContentDigest] = digest.ToString();
        if (facts.Subject is { } subject) response.Headers[OciHeaders.Subject] = subject.ToString();
        if (pinned is not null && tags.Count > 0) response.Headers[OciHeaders.Tag] = tags.ToArray();
        if (warning is not null) response.Headers.Append("Warning", WarningHeader(warning));
        response.ContentLength = 0;
    }

    /// <summary>
    /// A tag move the guard refuses is 403 <c>DENIED</c> with its message; nothing has been stored by then. Returns the
    /// warning to send with an accepted push, if any.
    /// </summary>
    private static async Task<string?> DemandTagMoveAsync(RegistryRoute route, List<string> tags, Digest digest, string mediaType, byte[] content,
        RegistryServices services, CancellationToken ct)
    {
        var view = new RepositoryContentView(route.Name, services.Metadata, services.Blobs, new RepositoryContentView.PendingManifest(digest, mediaType, content));
        var decision = await services.TagMoves.CheckAsync(new TagMove(route.Name, tags, digest, mediaType, content), view, ct).ConfigureAwait(false);
        if (!decision.Allowed) throw new RegistryException(403, ErrorCodes.Denied, decision.Message);
        return decision.Warn ? RegistryException.Truncate(decision.Message, 1000) : null;
    }

    /// <summary>Distribution spec v1.1 "Warnings": code 299, agent <c>-</c>, a quoted printable-ASCII text clients show.</summary>
    private static string WarningHeader(string text)
    {
        var ascii = new string([.. text.Select(c => c is >= ' ' and <= '~' ? c : '?')]);
        return $"299 - \"{ascii.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"";
    }

    public static Task DeleteAsync(HttpContext context, RegistryRoute route, RegistryServices services)
    {
        services.Authorizer.Demand(context, route.Name, RegistryActions.Delete);
        RegistryDispatcher.RequireDeleteEnabled(services);
        var (tag, digest) = ParseReference(route.Reference);
        var removed = tag is not null
            ? services.Metadata.DeleteTag(route.Name, tag)
            : services.Metadata.DeleteManifest(route.Name, digest!.Value.ToString());
        if (!removed) throw RegistryException.ManifestUnknown(route.Name, route.Reference);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
        return Task.CompletedTask;
    }

    internal static ManifestRecord? Resolve(RegistryRoute route, RegistryServices services)
    {
        var (tag, digest) = ParseReference(route.Reference);
        var key = tag is null ? digest!.Value.ToString() : services.Metadata.ResolveTag(route.Name, tag);
        return key is null ? null : services.Metadata.GetManifest(route.Name, key);
    }

    internal static async Task<byte[]> ContentAsync(ManifestRecord record, RegistryServices services, CancellationToken ct)
    {
        if (services.ManifestCache.TryGet(record.Digest, out var cached)) return cached;
        var content = await services.Blobs.ReadAllAsync(Digest.Parse(record.Digest), ct).ConfigureAwait(false);
        services.ManifestCache.Add(record.Digest, content);
        return content;
    }

    /// <summary>A reference is a digest when it has a colon (tags cannot), else a tag.</summary>
    private static (string? Tag, Digest? Digest) ParseReference(string reference)
    {
        if (reference.Contains(':', StringComparison.Ordinal)) return (null, RequestParsing.RequireDigest(reference));
        if (!Reference.IsValidTag(reference)) throw InvalidTag(reference);
        return (reference, null);
    }

    private static RegistryException InvalidTag(string? tag) =>
        new(400, ErrorCodes.ManifestInvalid,
            $"'{RegistryException.Truncate(tag, 200)}' is neither a digest nor a tag ([a-zA-Z0-9_][a-zA-Z0-9._-]{{0,127}})");

    private static string? MediaTypeOf(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return null;
        var semicolon = contentType.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? contentType[..semicolon] : contentType).Trim();
    }

    /// <summary>Reads at most <see cref="OciJson.MaxManifestBytes"/>; anything larger is 413.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        var limit = OciJson.MaxManifestBytes;
        if (request.ContentLength > limit) throw TooLarge(request.ContentLength.Value);
        using var buffer = new MemoryStream(request.ContentLength is { } cl ? (int)cl : 4096);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit) throw TooLarge(buffer.Length + read);
            buffer.Write(chunk, 0, read);
        }
        if (request.ContentLength is { } declared && declared != buffer.Length)
            throw new RegistryException(400, ErrorCodes.SizeInvalid, $"the body has {buffer.Length} bytes but Content-Length is {declared}");
        return buffer.ToArray();
    }

    private static RegistryException TooLarge(long size) =>
        new(413, ErrorCodes.SizeInvalid, $"manifest of {size}+ bytes exceeds the limit of {OciJson.MaxManifestBytes} bytes");
}
