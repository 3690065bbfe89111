using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Remote;

public sealed partial class Repository
{
    // Each round of conflicting writers has one winner, so this outlasts 16 concurrent writers.
    private const int MaxFallbackUpdateAttempts = 16;

    /// <summary>
    /// Referrers of <paramref name="subject"/>: from the referrers API when the registry has it, else
    /// from the <c>sha256-&lt;hex&gt;</c> fallback tag index. The artifactType filter is applied here
    /// when the registry did not (no <c>OCI-Filters-Applied: artifactType</c>).
    /// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md#listing-referrers
    /// </summary>
    public async IAsyncEnumerable<Descriptor> ListReferrersAsync(Descriptor subject, string? artifactType = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (ReferrersSupport != ReferrersSupport.Unsupported)
        {
            var query = artifactType is null ? "" : "?artifactType=" + Uri.EscapeDataString(artifactType);
            Uri? url = _transport.Url($"v2/{Name}/referrers/{subject.Digest}{query}");
            var first = true;
            while (url is not null)
            {
                var page = url;
                using var response = await _transport.SendAsync(() => IndexRequest(HttpMethod.Get, page), PullScopes, retry: true, cancellationToken)
                    .ConfigureAwait(false);
                if (first && response.StatusCode == HttpStatusCode.NotFound && ReferrersSupport == ReferrersSupport.Unknown)
                {
                    NoteReferrersSupport(ReferrersSupport.Unsupported);
                    break;
                }
                if (response.StatusCode != HttpStatusCode.OK)
                    throw await ResponseErrors.CreateAsync(response, $"referrers of {subject.Digest} in {Reference}", cancellationToken).ConfigureAwait(false);
                NoteReferrersSupport(ReferrersSupport.Supported);
                var bytes = await ResponseErrors.ReadBoundedAsync(response, Options.MaxManifestBytes, "referrers index", cancellationToken).ConfigureAwait(false);
                var index = OciJson.Deserialize<ImageIndex>(bytes);
                var filtered = artifactType is not null && FiltersApplied(response, "artifactType");
                foreach (var d in index.Manifests)
                    if (artifactType is null || filtered || d.ArtifactType == artifactType) yield return d;
                url = LinkHeader.Next(response);
                first = false;
            }
            if (ReferrersSupport == ReferrersSupport.Supported) yield break;
        }
        var (fallback, _, _) = await ReadFallbackIndexAsync(subject.Digest, cancellationToken).ConfigureAwait(false);
        foreach (var d in fallback.Manifests)
            if (artifactType is null || d.ArtifactType == artifactType) yield return d;
    }

    /// <summary>Asks the registry once whether it serves the referrers API (GET referrers of the all-zero digest) and remembers it.</summary>
    public async Task<bool> PingReferrersAsync(CancellationToken cancellationToken = default)
    {
        if (ReferrersSupport != ReferrersSupport.Unknown) return ReferrersSupport == ReferrersSupport.Supported;
        var url = _transport.Url($"v2/{Name}/referrers/sha256:{new string('0', 64)}");
        using var response = await _transport.SendAsync(() => IndexRequest(HttpMethod.Get, url), PullScopes, retry: true, cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.OK && response.Content.Headers.ContentType?.MediaType == MediaTypes.ImageIndex)
            NoteReferrersSupport(ReferrersSupport.Supported);
        else if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.OK or HttpStatusCode.MethodNotAllowed)
            NoteReferrersSupport(ReferrersSupport.Unsupported);
        else
            throw await ResponseErrors.CreateAsync(response, null, cancellationToken).ConfigureAwait(false);
        return ReferrersSupport == ReferrersSupport.Supported;
    }

    private static HttpRequestMessage IndexRequest(HttpMethod method, Uri url)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.ImageIndex));
        return request;
    }

    private static bool FiltersApplied(HttpResponseMessage response, string filter) =>
        response.Headers.TryGetValues(OciHeaders.FiltersApplied, out var values)
        && values.SelectMany(v => v.Split(',')).Any(v => v.Trim() == filter);

    /// <summary>The fallback index, its ETag and its digest; an empty index when the tag does not exist yet.</summary>
    private async Task<(ImageIndex Index, EntityTagHeaderValue? ETag, Digest? Digest)> ReadFallbackIndexAsync(Digest subject, CancellationToken ct)
    {
        var tag = ReferrersTag.For(subject);
        using var response = await _transport.SendAsync(() => IndexRequest(HttpMethod.Get, ManifestUrl(tag)), PullScopes, retry: true, ct)
            .ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return (new ImageIndex(), null, null);
        if (response.StatusCode != HttpStatusCode.OK) throw await ResponseErrors.CreateAsync(response, null, ct).ConfigureAwait(false);
        var bytes = await ResponseErrors.ReadBoundedAsync(response, Options.MaxManifestBytes, $"referrers tag {tag}", ct).ConfigureAwait(false);
        var index = OciJson.Deserialize<ImageIndex>(bytes);
        return (index, response.Headers.ETag, Digest.Compute(bytes));
    }

    /// <summary>Appends a referrer to the fallback index unless it is already listed; If-Match guards against concurrent writers.</summary>
    private Task AddToFallbackIndexAsync(Descriptor subject, Descriptor referrer, CancellationToken ct) =>
        UpdateFallbackIndexAsync(subject.Digest, list => list.Any(d => d.Digest == referrer.Digest) ? null : [.. list, referrer], ct);

    private Task RemoveFromFallbackIndexAsync(Descriptor subject, Digest referrer, CancellationToken ct) =>
        UpdateFallbackIndexAsync(subject.Digest, list => list.Any(d => d.Digest == referrer) ? [.. list.Where(d => d.Digest != referrer)] : null, ct);

    private async Task UpdateFallbackIndexAsync(Digest subject, Func<IReadOnlyList<Descriptor>, IReadOnlyList<Descriptor>?> change, CancellationToken ct)
    {
        var tag = ReferrersTag.For(subject);
        for (var attempt = 1; ; attempt++)
        {
            var (current, etag, oldDigest) = await ReadFallbackIndexAsync(subject, ct).ConfigureAwait(false);
            var updated = change(current.Manifests);
            if (updated is null) return;
            var bytes = OciJson.Serialize(new ImageIndex { Manifests = updated });
            var descriptor = Descriptor.FromBytes(MediaTypes.ImageIndex, bytes);
            try
            {
                // No index yet: create it only if still absent, so two first writers cannot overwrite each other.
                await PutManifestAsync(descriptor, bytes, tag, ct, etag, createOnly: oldDigest is null).ConfigureAwait(false);
            }
            catch (ConcurrentUpdateException) when (attempt < MaxFallbackUpdateAttempts)
            {
                // Someone else updated the index between our read and write: back off, read again and re-apply.
                if (_transport.Retry.NextDelay(Math.Min(attempt, 5), null, DateTimeOffset.UtcNow) is { } wait)
                    await _transport.Retry.Delay(wait, ct).ConfigureAwait(false);
                continue;
            }
            // The replaced index is now untagged garbage. An empty index is skipped: its bytes are the
            // same for every subject, so another subject's tag may still point at that digest.
            if (Options.DeleteStaleReferrersIndex && oldDigest is { } old && old != descriptor.Digest && current.Manifests.Count > 0)
                await TryDeleteManifestAsync(old, ct).ConfigureAwait(false);
            return;
        }
    }

    private async Task TryDeleteManifestAsync(Digest digest, CancellationToken ct)
    {
        try
        {
            using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, ManifestUrl(digest.ToString())),
                [Auth.Scopes.Delete(Name)], retry: true, ct).ConfigureAwait(false);
            // 202 deleted; 400/401/403/404/405: deletion not allowed or already gone. Garbage either way, never an error.
        }
        catch (Exception e) when (RegistryTransport.IsTransient(e, ct))
        {
        }
    }
}
