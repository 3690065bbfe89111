using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Content;

/// <summary>
/// A target held in memory: content-addressed blobs and manifests, tags, and a referrers index
/// built as manifests with a <c>subject</c> are pushed. For tests and for staging small artifacts.
/// </summary>
public sealed class MemoryStore : ITarget, IDeleter, ITagLister, IReferrerLister
{
    private readonly ConcurrentDictionary<Digest, (Descriptor Descriptor, byte[] Content)> _content = new();
    private readonly ConcurrentDictionary<string, Descriptor> _tags = new(StringComparer.Ordinal);
    private readonly ContentGraph _graph = new();

    /// <summary>Largest single item accepted (content is held in memory).</summary>
    public long MaxContentBytes { get; init; } = 1L << 30;

    public Task<bool> ExistsAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Task.FromResult(_content.ContainsKey(target.Digest));
    }

    public Task<Stream> FetchAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!_content.TryGetValue(target.Digest, out var item))
            throw new NotFoundException($"{target.Digest}: not found in memory store");
        return Task.FromResult<Stream>(new VerifyingStream(new MemoryStream(item.Content, writable: false), target));
    }

    public async Task PushAsync(Descriptor expected, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(content);
        if (expected.Size > MaxContentBytes)
            throw new SizeMismatchException($"{expected.Digest}: {expected.Size} bytes exceeds the memory store limit of {MaxContentBytes}");
        if (_content.ContainsKey(expected.Digest))
            throw new AlreadyExistsException($"{expected.Digest}: already in memory store");
        var bytes = await ContentExtensions.ReadVerifiedAsync(content, expected, cancellationToken).ConfigureAwait(false);
        // Parse before storing so a malformed manifest never becomes visible.
        var node = ManifestNode.IsManifest(expected) ? ManifestNode.Parse(expected, bytes) : null;
        if (!_content.TryAdd(expected.Digest, (expected, bytes)))
            throw new AlreadyExistsException($"{expected.Digest}: already in memory store");
        if (node is not null) _graph.Add(node);
    }

    public Task<Descriptor> ResolveAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        if (_tags.TryGetValue(reference, out var tagged)) return Task.FromResult(tagged);
        if (Digest.TryParse(reference, out var digest) && _content.TryGetValue(digest, out var item))
            return Task.FromResult(item.Descriptor);
        throw new NotFoundException($"{reference}: not found in memory store");
    }

    public Task TagAsync(Descriptor target, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!Reference.IsValidTag(tag)) throw new InvalidReferenceException(tag, "not a valid tag");
        if (!_content.TryGetValue(target.Digest, out var item))
            throw new NotFoundException($"{target.Digest}: cannot tag content that is not in the store");
        _tags[tag] = item.Descriptor;
        return Task.CompletedTask;
    }

    public Task DeleteAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!_content.TryRemove(target.Digest, out _))
            throw new NotFoundException($"{target.Digest}: not found in memory store");
        foreach (var (tag, d) in _tags)
            if (d.Digest == target.Digest) _tags.TryRemove(tag, out _);
        _graph.Remove(target.Digest);
        return Task.CompletedTask;
    }

#pragma warning disable CS1998 // async iterator over in-memory data
    public async IAsyncEnumerable<string> ListTagsAsync(string? last = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var tag in _tags.Keys.Order(StringComparer.Ordinal))
        {
            if (last is not null && string.CompareOrdinal(tag, last) <= 0) continue;
            cancellationToken.ThrowIfCancellationRequested();
            yield return tag;
        }
    }

    public async IAsyncEnumerable<Descriptor> ListReferrersAsync(Descriptor subject, string? artifactType = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        foreach (var d in _graph.Referrers(subject.Digest, artifactType))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return d;
        }
    }
#pragma warning restore CS1998
}
