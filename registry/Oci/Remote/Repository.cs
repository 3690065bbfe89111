using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Remote.Auth;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Remote;

/// <summary>
/// One repository on a remote OCI Distribution v1.1 registry.
/// Spec: https://github.com/opencontainers/distribution-spec/blob/v1.1.1/spec.md
/// Everything fetched is checked against its digest and size (blobs while streaming);
/// <c>Docker-Content-Digest</c> is compared whenever the registry sends it.
/// </summary>
public sealed partial class Repository : IRepository
{
    private readonly RegistryTransport _transport;
    private int _referrersState; // ReferrersSupport, read/written atomically

    /// <param name="reference"><c>host[:port]/name</c> (a tag or digest, if present, is ignored).</param>
    public Repository(string reference, RemoteOptions? options = null) : this(Wire.Reference.Parse(reference), options)
    {
    }

    public Repository(Reference reference, RemoteOptions? options = null)
        : this(reference, new RegistryTransport(reference?.Registry ?? throw new ArgumentNullException(nameof(reference)), options ?? new RemoteOptions()))
    {
    }

    internal Repository(Reference reference, RegistryTransport transport)
    {
        Reference = reference with { Tag = null, Digest = null };
        _transport = transport;
    }

    /// <summary>The repository (no tag or digest).</summary>
    public Reference Reference { get; }
    public string Registry => Reference.Registry;
    public string Name => Reference.Repository;
    public RemoteOptions Options => _transport.Options;

    public ReferrersSupport ReferrersSupport => (ReferrersSupport)Volatile.Read(ref _referrersState);

    /// <summary>Skips detection (e.g. when the caller knows the registry lacks the referrers API).</summary>
    public void SetReferrersSupport(bool supported) =>
        Volatile.Write(ref _referrersState, (int)(supported ? ReferrersSupport.Supported : ReferrersSupport.Unsupported));

    private void NoteReferrersSupport(ReferrersSupport value) =>
        Interlocked.CompareExchange(ref _referrersState, (int)value, (int)ReferrersSupport.Unknown);

    internal Repository Sibling(string name) => new(Reference with { Repository = name }, _transport);

    private string[] PullScopes => [Scopes.Pull(Name)];
    private string[] PushScopes => [Scopes.Push(Name)];

    private Uri BlobUrl(Digest digest) => _transport.Url($"v2/{Name}/blobs/{digest}");
    private Uri ManifestUrl(string reference) => _transport.Url($"v2/{Name}/manifests/{Uri.EscapeDataString(reference)}");

    private HttpRequestMessage ManifestRequest(HttpMethod method, string reference, string? preferred = null)
    {
        var request = new HttpRequestMessage(method, ManifestUrl(reference));
        if (preferred is not null) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(preferred));
        foreach (var t in Options.ManifestMediaTypes.Where(t => t != preferred))
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(t));
        return request;
    }

    /// <summary>Accepts a bare tag/digest, or a full reference to this same repository.</summary>
    private string ContentReference(string reference)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        if (Digest.TryParse(reference, out _) || Wire.Reference.IsValidTag(reference)) return reference;
        var parsed = Wire.Reference.Parse(reference);
        if (parsed.Registry != Registry || parsed.Repository != Name)
            throw new InvalidReferenceException(reference, $"refers to another repository than {Reference}");
        return parsed.ContentReference ?? throw new InvalidReferenceException(reference, "has no tag or digest");
    }

    public async Task<bool> ExistsAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var isManifest = ManifestNode.IsManifest(target);
        using var response = await _transport.SendAsync(
            () => isManifest ? ManifestRequest(HttpMethod.Head, target.Digest.ToString(), target.MediaType) : new HttpRequestMessage(HttpMethod.Head, BlobUrl(target.Digest)),
            PullScopes, retry: true, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound) return false;
        if (response.StatusCode != HttpStatusCode.OK) throw await ResponseErrors.CreateAsync(response, null, cancellationToken).ConfigureAwait(false);
        return true;
    }

    public async Task<Stream> FetchAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.Data is { } inline && inline.Length == target.Size && target.Digest.Matches(inline))
            return new MemoryStream(inline, writable: false);
        if (ManifestNode.IsManifest(target))
        {
            var bytes = await FetchManifestBytesAsync(target, cancellationToken).ConfigureAwait(false);
            return new MemoryStream(bytes, writable: false);
        }
        var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, BlobUrl(target.Digest)),
            PullScopes, retry: true, cancellationToken).ConfigureAwait(false);
        try
        {
            if (response.StatusCode != HttpStatusCode.OK)
                throw await ResponseErrors.CreateAsync(response, $"blob {target.Digest} in {Reference}", cancellationToken).ConfigureAwait(false);
            CheckHeaders(response, target, $"blob {target.Digest}");
            var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var url = BlobUrl(target.Digest);
            var resuming = new ResumingBlobStream(response, body, target.Size, _transport.Retry,
                (from, ct) => _transport.SendAsync(() => ResumingBlobStream.RangeRequest(url, from), PullScopes, retry: true, ct));
            return new VerifyingStream(resuming, target, $"blob {target.Digest} from {Reference}");
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Content-Length and Docker-Content-Digest, when present, must agree with the descriptor.</summary>
    private static void CheckHeaders(HttpResponseMessage response, Descriptor target, string what)
    {
        if (response.Content.Headers.ContentLength is { } length && length != target.Size)
            throw new SizeMismatchException(target.Size, length, what);
        // Compared only within one algorithm: a registry may name content by its own canonical algorithm.
        if (HeaderDigest(response) is { } header && header.Algorithm == target.Digest.Algorithm && header != target.Digest)
            throw new DigestMismatchException(target.Digest, header, $"{what} (Docker-Content-Digest header)");
    }

    private static Digest? HeaderDigest(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues(OciHeaders.ContentDigest, out var values)) return null;
        var text = values.FirstOrDefault();
        if (!Digest.TryParse(text, out var digest, out var error))
            throw new OciException($"registry sent a malformed {OciHeaders.ContentDigest} '{text}': {error}");
        return digest;
    }

    private async Task<byte[]> FetchManifestBytesAsync(Descriptor target, CancellationToken ct)
    {
        if (target.Size > Options.MaxManifestBytes)
            throw new SizeMismatchException($"manifest {target.Digest}: {target.Size} bytes exceeds the limit of {Options.MaxManifestBytes}");
        using var response = await _transport.SendAsync(() => ManifestRequest(HttpMethod.Get, target.Digest.ToString(), target.MediaType),
            PullScopes, retry: true, ct).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            throw await ResponseErrors.CreateAsync(response, $"manifest {target.Digest} in {Reference}", ct).ConfigureAwait(false);
        CheckHeaders(response, target, $"manifest {target.Digest}");
        var bytes = await ResponseErrors.ReadBoundedAsync(response, target.Size, $"manifest {target.Digest}", ct).ConfigureAwait(false);
        Verify(target, bytes, $"manifest {target.Digest} from {Reference}");
        return bytes;
    }

    internal static void Verify(Descriptor target, ReadOnlySpan<byte> bytes, string what)
    {
        if (bytes.Length != target.Size) throw new SizeMismatchException(target.Size, bytes.Length, what);
        var actual = Digest.Compute(bytes, target.Digest.Algorithm);
        if (actual != target.Digest) throw new DigestMismatchException(target.Digest, actual, what);
    }

    public async Task<(Descriptor Descriptor, Stream Content)> FetchAsync(string reference, CancellationToken cancellationToken = default)
    {
        var contentRef = ContentReference(reference);
        using var response = await _transport.SendAsync(() => ManifestRequest(HttpMethod.Get, contentRef), PullScopes, retry: true, cancellationToken)
            .ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
            throw await ResponseErrors.CreateAsync(response, $"manifest {contentRef} in {Reference}", cancellationToken).ConfigureAwait(false);
        var bytes = await ResponseErrors.ReadBoundedAsync(response, Options.MaxManifestBytes, $"manifest {contentRef}", cancellationToken).ConfigureAwait(false);
        var descriptor = DescribeManifest(response, contentRef, bytes);
        return (descriptor, new MemoryStream(bytes, writable: false));
    }

    /// <summary>Builds the descriptor of manifest bytes fetched by tag or digest, checking every digest claim we were given.</summary>
    private Descriptor DescribeManifest(HttpResponseMessage response, string contentRef, byte[] bytes)
    {
        var header = HeaderDigest(response);
        var requested = Digest.TryParse(contentRef, out var d) ? d : (Digest?)null;
        var algorithm = requested?.Algorithm ?? (header is { IsSupported: true } h ? h.Algorithm : Digest.Sha256);
        var actual = Digest.Compute(bytes, algorithm);
        if (requested is { } r && r != actual) throw new DigestMismatchException(r, actual, $"manifest {contentRef} from {Reference}");
        if (header is { } hd && hd.Algorithm == algorithm && hd != actual)
            throw new DigestMismatchException(hd, actual, $"manifest {contentRef} from {Reference} (Docker-Content-Digest header)");
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (!MediaTypes.IsManifest(mediaType)) mediaType = OciJson.PeekMediaType(bytes) ?? mediaType;
        if (string.IsNullOrEmpty(mediaType))
            throw new OciException($"manifest {contentRef} from {Reference}: no Content-Type and no mediaType field");
        return new Descriptor { MediaType = mediaType, Digest = actual, Size = bytes.Length };
    }

    public async Task<Descriptor> ResolveAsync(string reference, CancellationToken cancellationToken = default)
    {
        var contentRef = ContentReference(reference);
        using (var response = await _transport.SendAsync(() => ManifestRequest(HttpMethod.Head, contentRef), PullScopes, retry: true, cancellationToken)
            .ConfigureAwait(false))
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
                throw await ResponseErrors.CreateAsync(response, $"manifest {contentRef} in {Reference}", cancellationToken).ConfigureAwait(false);
            var header = HeaderDigest(response);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            var size = response.Content.Headers.ContentLength;
            if (response.StatusCode == HttpStatusCode.OK && header is { } digest && size is { } length && MediaTypes.IsManifest(mediaType))
            {
                if (Digest.TryParse(contentRef, out var requested) && requested != digest)
                    throw new DigestMismatchException(requested, digest, $"manifest {contentRef} (HEAD Docker-Content-Digest)");
                return new Descriptor { MediaType = mediaType!, Digest = digest, Size = length };
            }
            if (response.StatusCode != HttpStatusCode.OK && response.StatusCode != HttpStatusCode.MethodNotAllowed)
                throw await ResponseErrors.CreateAsync(response, null, cancellationToken).ConfigureAwait(false);
        }
        // HEAD without a digest header (allowed by v1.1): GET and hash the bytes ourselves.
        var (descriptor, content) = await FetchAsync(contentRef, cancellationToken).ConfigureAwait(false);
        await content.DisposeAsync().ConfigureAwait(false);
        return descriptor;
    }

    public async Task TagAsync(Descriptor target, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!Wire.Reference.IsValidTag(tag)) throw new InvalidReferenceException(tag, "not a valid tag");
        var bytes = await FetchManifestBytesAsync(target, cancellationToken).ConfigureAwait(false);
        // Re-tagging must not touch the referrers fallback index (oras #1435): plain PUT only.
        await PutManifestAsync(target, bytes, tag, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var isManifest = ManifestNode.IsManifest(target);
        ManifestNode? node = null;
        if (isManifest && ReferrersSupport != ReferrersSupport.Supported)
        {
            // Without the referrers API the client owns the fallback index: read the subject before the manifest is gone.
            var bytes = await FetchManifestBytesAsync(target, cancellationToken).ConfigureAwait(false);
            node = ManifestNode.Parse(target, bytes);
        }
        var url = isManifest ? ManifestUrl(target.Digest.ToString()) : BlobUrl(target.Digest);
        using (var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Delete, url),
            [Scopes.Delete(Name)], retry: true, cancellationToken).ConfigureAwait(false))
        {
            if (response.StatusCode is not (HttpStatusCode.Accepted or HttpStatusCode.OK or HttpStatusCode.NoContent))
                throw await ResponseErrors.CreateAsync(response, $"{target.Digest} in {Reference}", cancellationToken).ConfigureAwait(false);
        }
        if (node?.Subject is { } subject && ReferrersSupport != ReferrersSupport.Supported)
            await RemoveFromFallbackIndexAsync(subject, target.Digest, cancellationToken).ConfigureAwait(false);
    }

    public async IAsyncEnumerable<string> ListTagsAsync(string? last = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = $"?n={Options.PageSize}" + (last is null ? "" : "&last=" + Uri.EscapeDataString(last));
        Uri? url = _transport.Url($"v2/{Name}/tags/list{query}");
        while (url is not null)
        {
            var page = url;
            using var response = await _transport.SendAsync(() => new HttpRequestMessage(HttpMethod.Get, page), PullScopes, retry: true, cancellationToken)
                .ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
                throw await ResponseErrors.CreateAsync(response, $"repository {Reference}", cancellationToken).ConfigureAwait(false);
            var bytes = await ResponseErrors.ReadBoundedAsync(response, Options.MaxManifestBytes, "tag list", cancellationToken).ConfigureAwait(false);
            foreach (var tag in ParseStringList(bytes, "tags", "tag list")) yield return tag;
            url = LinkHeader.Next(response);
        }
    }

    /// <summary>Reads a <c>{"…": ["a","b"]}</c> page (tags/list, _catalog); null list means empty.</summary>
    internal static IReadOnlyList<string> ParseStringList(byte[] body, string property, string what)
    {
        try
        {
            using var doc = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new OciException($"{what}: not a JSON object");
            if (!doc.RootElement.TryGetProperty(property, out var list) || list.ValueKind == JsonValueKind.Null) return [];
            if (list.ValueKind != JsonValueKind.Array) throw new OciException($"{what}: '{property}' is not an array");
            return [.. list.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new OciException($"{what}: non-string entry"))];
        }
        catch (JsonException e)
        {
            throw new OciException($"{what}: malformed JSON: {e.Message}", e);
        }
    }
}
