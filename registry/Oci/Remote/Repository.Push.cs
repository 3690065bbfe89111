using System.Net;
using System.Net.Http.Headers;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Oci.Wire;

namespace AtymSecure.Oci.Remote;

public sealed partial class Repository
{
    /// <summary>Pushes a blob (POST + PUT, or chunked PATCH above the threshold) or, for manifest media types, a manifest by digest.</summary>
    public async Task PushAsync(Descriptor expected, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentOutOfRangeException.ThrowIfNegative(expected.Size);
        if (ManifestNode.IsManifest(expected))
        {
            await PushManifestAsync(expected, content, expected.Digest.ToString(), cancellationToken).ConfigureAwait(false);
            return;
        }
        await new BlobUploader(_transport, Name, PushScopes).UploadAsync(expected, content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Pushes a manifest under a tag (or its digest); maintains the referrers fallback index when needed.</summary>
    public async Task PushAsync(Descriptor expected, Stream content, string reference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(content);
        if (!ManifestNode.IsManifest(expected))
            throw new ArgumentException($"only manifests can be pushed by reference, not '{expected.MediaType}'", nameof(expected));
        await PushManifestAsync(expected, content, ContentReference(reference), cancellationToken).ConfigureAwait(false);
    }

    private async Task PushManifestAsync(Descriptor expected, Stream content, string reference, CancellationToken ct)
    {
        if (expected.Size > Options.MaxManifestBytes)
            throw new SizeMismatchException($"manifest {expected.Digest}: {expected.Size} bytes exceeds the limit of {Options.MaxManifestBytes}");
        var bytes = await ContentExtensions.ReadVerifiedAsync(content, expected, ct).ConfigureAwait(false);
        var node = ManifestNode.Parse(expected, bytes);
        var acknowledgedSubject = await PutManifestAsync(expected, bytes, reference, ct).ConfigureAwait(false);
        if (node.Subject is not { } subject) return;
        if (acknowledgedSubject)
        {
            NoteReferrersSupport(ReferrersSupport.Supported);
            return;
        }
        // No OCI-Subject in the reply: the spec makes the client keep the sha256-<hex> tag index.
        NoteReferrersSupport(ReferrersSupport.Unsupported);
        await AddToFallbackIndexAsync(subject, node.AsReferrer(), ct).ConfigureAwait(false);
    }

    /// <summary>
    /// PUT of exact manifest bytes; true when the registry answered with <c>OCI-Subject</c>.
    /// <paramref name="ifMatch"/> sends <c>If-Match</c>; <paramref name="createOnly"/> sends <c>If-None-Match: *</c>
    /// (both make a 412 a <see cref="ConcurrentUpdateException"/>; registries that ignore them simply overwrite).
    /// </summary>
    private async Task<bool> PutManifestAsync(Descriptor expected, byte[] bytes, string reference, CancellationToken ct,
        EntityTagHeaderValue? ifMatch = null, bool createOnly = false)
    {
        using var response = await _transport.SendAsync(() =>
        {
            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = new MediaTypeHeaderValue(expected.MediaType);
            var request = new HttpRequestMessage(HttpMethod.Put, ManifestUrl(reference)) { Content = content };
            if (ifMatch is not null) request.Headers.IfMatch.Add(ifMatch);
            else if (createOnly) request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Any);
            return request;
        }, PushScopes, retry: true, ct).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.PreconditionFailed && (ifMatch is not null || createOnly))
            throw new ConcurrentUpdateException($"{Reference}:{reference} changed since it was read (412)");
        if (response.StatusCode is not (HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.NoContent))
            throw await ResponseErrors.CreateAsync(response, null, ct).ConfigureAwait(false);
        if (HeaderDigest(response) is { } got && got.Algorithm == expected.Digest.Algorithm && got != expected.Digest)
            throw new DigestMismatchException(expected.Digest, got, $"manifest {reference} (registry reply)");
        return response.Headers.Contains(OciHeaders.Subject);
    }

    /// <summary>
    /// Mounts a blob from another repository of the same registry (POST ?mount=&amp;from=). When the
    /// registry declines (202), the blob is uploaded into the session it opened, read from
    /// <paramref name="getContent"/> or else from <paramref name="fromRepository"/>.
    /// </summary>
    public async Task MountAsync(Descriptor target, string fromRepository, Func<CancellationToken, Task<Stream>>? getContent = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!Wire.Reference.IsValidRepository(fromRepository))
            throw new InvalidReferenceException(fromRepository, "not a valid repository name");
        var url = _transport.Url($"v2/{Name}/blobs/uploads/?mount={Uri.EscapeDataString(target.Digest.ToString())}&from={Uri.EscapeDataString(fromRepository)}");
        string[] scopes = [Scopes.Push(Name), Scopes.Pull(fromRepository)];
        Uri location;
        long chunkMin;
        using (var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent([]) },
            scopes, retry: true, cancellationToken).ConfigureAwait(false))
        {
            if (response.StatusCode == HttpStatusCode.Created)
            {
                if (HeaderDigest(response) is { } got && got != target.Digest)
                    throw new DigestMismatchException(target.Digest, got, $"mounted blob {target.Digest}");
                return;
            }
            if (response.StatusCode != HttpStatusCode.Accepted)
                throw await ResponseErrors.CreateAsync(response, $"repository {Name}", cancellationToken).ConfigureAwait(false);
            location = BlobUploader.SessionLocation(response);
            chunkMin = BlobUploader.ChunkMinLength(response);
        }
        var stream = getContent is not null
            ? await getContent(cancellationToken).ConfigureAwait(false)
            : await Sibling(fromRepository).FetchAsync(target, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            await new BlobUploader(_transport, Name, PushScopes).UploadToSessionAsync(location, chunkMin, target, stream, cancellationToken)
                .ConfigureAwait(false);
        }
    }
}

/// <summary>A conditional update lost a race (HTTP 412 on If-Match).</summary>
public class ConcurrentUpdateException : OciException
{
    public ConcurrentUpdateException() { }
    public ConcurrentUpdateException(string message) : base(message) { }
    public ConcurrentUpdateException(string message, Exception? inner) : base(message, inner) { }
}
