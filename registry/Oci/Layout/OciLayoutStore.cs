using System.Runtime.CompilerServices;
using System.Text.Json;
using AtymSecure.Oci.Content;
using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Layout;

/// <summary>
/// A target backed by an OCI image layout folder: <c>oci-layout</c>, <c>index.json</c>, <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>.
/// Spec: https://github.com/opencontainers/image-spec/blob/v1.1.1/image-layout.md
/// Tags are index.json entries annotated <c>org.opencontainers.image.ref.name</c> (what skopeo's
/// <c>oci:DIR:TAG</c> reads). Untagged root manifests (e.g. referrers) are listed without a name so
/// the folder stays self-describing and re-opening it restores the referrers index.
/// Blobs and index.json are written with <see cref="AtomicFile"/> (verified while written, then flushed and
/// renamed into place), so a crash never leaves a partial blob or index visible.
/// One process at a time should write a given folder.
/// </summary>
public sealed class OciLayoutStore : ITarget, IDeleter, ITagLister, IReferrerLister
{
    public const string LayoutFileName = "oci-layout";
    public const string IndexFileName = "index.json";
    public const string LayoutVersion = "1.0.0";
    private const long MaxIndexBytes = 64L * 1024 * 1024;

    private readonly SemaphoreSlim _indexLock = new(1, 1);
    private readonly ContentGraph _graph = new();
    private readonly Dictionary<string, Descriptor> _tags = new(StringComparer.Ordinal);
    private readonly Dictionary<Digest, Descriptor> _untaggedEntries = [];

    private OciLayoutStore(string root) => Root = root;

    public string Root { get; }

    /// <summary>Opens the layout at <paramref name="path"/>, creating an empty one if the folder is missing or empty.</summary>
    /// <exception cref="InvalidLayoutException">oci-layout or index.json is not a valid image layout</exception>
    public static async Task<OciLayoutStore> OpenAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var store = new OciLayoutStore(Path.GetFullPath(path));
        await store.LoadAsync(cancellationToken).ConfigureAwait(false);
        return store;
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(Root);
        var layoutFile = Path.Combine(Root, LayoutFileName);
        var indexFile = Path.Combine(Root, IndexFileName);
        if (!File.Exists(layoutFile))
        {
            if (File.Exists(indexFile) || Directory.Exists(Path.Combine(Root, "blobs")))
                throw new InvalidLayoutException($"{Root}: has index.json or blobs/ but no oci-layout file");
            if (Directory.EnumerateFileSystemEntries(Root).Any())
                throw new InvalidLayoutException($"{Root}: folder is not empty and is not an OCI image layout");
            await AtomicFile.WriteAsync(layoutFile, JsonSerializer.SerializeToUtf8Bytes(new { imageLayoutVersion = LayoutVersion }),
                cancellationToken: ct).ConfigureAwait(false);
        }
        else
        {
            CheckLayoutVersion(layoutFile);
        }
        if (!File.Exists(indexFile))
        {
            await SaveIndexAsync(ct).ConfigureAwait(false);
            return;
        }
        var info = new FileInfo(indexFile);
        if (info.Length > MaxIndexBytes) throw new InvalidLayoutException($"{indexFile}: {info.Length} bytes exceeds {MaxIndexBytes}");
        ImageIndex index;
        try
        {
            index = OciJson.Deserialize<ImageIndex>(await File.ReadAllBytesAsync(indexFile, ct).ConfigureAwait(false));
        }
        catch (InvalidManifestException e)
        {
            throw new InvalidLayoutException($"{indexFile}: {e.Message}", e);
        }
        foreach (var entry in index.Manifests)
        {
            if (entry.Annotations?.TryGetValue(AnnotationKeys.RefName, out var name) == true && name.Length > 0)
                _tags[name] = entry;
            else
                _untaggedEntries[entry.Digest] = entry;
            await IndexGraphAsync(entry, ct).ConfigureAwait(false);
        }
    }

    private static void CheckLayoutVersion(string layoutFile)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(layoutFile), new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object
                || !doc.RootElement.TryGetProperty("imageLayoutVersion", out var v)
                || v.ValueKind != JsonValueKind.String || v.GetString() != LayoutVersion)
                throw new InvalidLayoutException($"{layoutFile}: imageLayoutVersion must be \"{LayoutVersion}\"");
        }
        catch (JsonException e)
        {
            throw new InvalidLayoutException($"{layoutFile}: malformed JSON: {e.Message}", e);
        }
    }

    /// <summary>Walks a manifest graph already on disk so referrers and roots are known after re-open. Missing blobs are tolerated.</summary>
    private async Task IndexGraphAsync(Descriptor root, CancellationToken ct)
    {
        var pending = new Stack<Descriptor>([root]);
        var seen = new HashSet<Digest>();
        while (pending.Count > 0)
        {
            var d = pending.Pop();
            if (!ManifestNode.IsManifest(d) || !seen.Add(d.Digest) || !File.Exists(BlobPath(d.Digest))) continue;
            var node = await this.FetchNodeAsync(Plain(d), ct).ConfigureAwait(false);
            _graph.Add(node);
            foreach (var child in node.Children) pending.Push(child);
        }
    }

    private static Descriptor Plain(Descriptor d) => new() { MediaType = d.MediaType, Digest = d.Digest, Size = d.Size };

    internal string BlobPath(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Encoded);

    public Task<bool> ExistsAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        return Task.FromResult(File.Exists(BlobPath(target.Digest)));
    }

    public Task<Stream> FetchAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            var file = new FileStream(BlobPath(target.Digest), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, FileOptions.Asynchronous);
            return Task.FromResult<Stream>(new VerifyingStream(file, target));
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new NotFoundException($"{target.Digest}: not found in layout {Root}", e);
        }
    }

    public async Task PushAsync(Descriptor expected, Stream content, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(content);
        var path = BlobPath(expected.Digest);
        if (File.Exists(path)) throw new AlreadyExistsException($"{expected.Digest}: already in layout {Root}");
        ManifestNode? node = null;
        try
        {
            await AtomicFile.WriteAsync(path, async (file, ct) =>
            {
                await CopyVerifiedAsync(new VerifyingStream(content, expected), file, ct).ConfigureAwait(false);
                if (!ManifestNode.IsManifest(expected)) return;
                file.Position = 0;
                var bytes = new byte[file.Length];
                await file.ReadExactlyAsync(bytes, ct).ConfigureAwait(false);
                node = ManifestNode.Parse(expected, bytes);
            }, new AtomicWriteOptions { Mode = AtomicWriteMode.CreateNew }, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new AlreadyExistsException($"{expected.Digest}: already in layout {Root}");
        }
        if (node is not null) await AddManifestAsync(node, cancellationToken).ConfigureAwait(false);
    }

    private static async Task CopyVerifiedAsync(VerifyingStream source, Stream destination, CancellationToken ct)
    {
        var buffer = new byte[81920];
        int n;
        while ((n = await source.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
            await destination.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
    }

    private async Task AddManifestAsync(ManifestNode node, CancellationToken ct)
    {
        await _indexLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _graph.Add(node);
            await SaveIndexAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _indexLock.Release();
        }
    }

    public Task<Descriptor> ResolveAsync(string reference, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        lock (_tags)
        {
            if (_tags.TryGetValue(reference, out var tagged)) return Task.FromResult(Plain(tagged) with { ArtifactType = tagged.ArtifactType });
        }
        if (Digest.TryParse(reference, out var digest))
        {
            if (_graph.TryGet(digest, out var node)) return Task.FromResult(node!.Descriptor);
            var path = BlobPath(digest);
            if (File.Exists(path) && new FileInfo(path).Length <= OciJson.MaxManifestBytes)
            {
                var bytes = File.ReadAllBytes(path);
                if (OciJson.PeekMediaType(bytes) is { } mediaType && MediaTypes.IsManifest(mediaType)
                    && digest.IsSupported && digest.Matches(bytes))
                    return Task.FromResult(new Descriptor { MediaType = mediaType, Digest = digest, Size = bytes.Length });
            }
        }
        throw new NotFoundException($"{reference}: not found in layout {Root}");
    }

    public async Task TagAsync(Descriptor target, string tag, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (!Reference.IsValidTag(tag)) throw new InvalidReferenceException(tag, "not a valid tag");
        if (!File.Exists(BlobPath(target.Digest)))
            throw new NotFoundException($"{target.Digest}: cannot tag content that is not in layout {Root}");
        await _indexLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal) { [AnnotationKeys.RefName] = tag };
            lock (_tags) _tags[tag] = Plain(target) with { ArtifactType = target.ArtifactType, Annotations = annotations };
            await SaveIndexAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _indexLock.Release();
        }
    }

    public async Task DeleteAsync(Descriptor target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(target);
        var path = BlobPath(target.Digest);
        if (!File.Exists(path)) throw new NotFoundException($"{target.Digest}: not found in layout {Root}");
        await _indexLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            lock (_tags)
                foreach (var tag in _tags.Where(t => t.Value.Digest == target.Digest).Select(t => t.Key).ToList())
                    _tags.Remove(tag);
            _untaggedEntries.Remove(target.Digest);
            _graph.Remove(target.Digest);
            // Index first: a crash between the two leaves an unreferenced blob, never a dangling entry.
            await SaveIndexAsync(cancellationToken).ConfigureAwait(false);
            File.Delete(path);
        }
        finally
        {
            _indexLock.Release();
        }
    }

#pragma warning disable CS1998 // async iterators over in-memory state
    public async IAsyncEnumerable<string> ListTagsAsync(string? last = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        List<string> tags;
        lock (_tags) tags = [.. _tags.Keys.Order(StringComparer.Ordinal)];
        foreach (var tag in tags)
        {
            if (last is not null && string.CompareOrdinal(tag, last) <= 0) continue;
            yield return tag;
        }
    }

    public async IAsyncEnumerable<Descriptor> ListReferrersAsync(Descriptor subject, string? artifactType = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subject);
        foreach (var d in _graph.Referrers(subject.Digest, artifactType)) yield return d;
    }
#pragma warning restore CS1998

    /// <summary>Rewrites index.json: tagged entries by tag, then untagged roots by digest (deterministic bytes).</summary>
    private async Task SaveIndexAsync(CancellationToken ct)
    {
        List<Descriptor> entries;
        lock (_tags)
        {
            entries = [.. _tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Value)];
            var tagged = _tags.Values.Select(d => d.Digest).ToHashSet();
            var untagged = new SortedDictionary<string, Descriptor>(StringComparer.Ordinal);
            foreach (var (digest, d) in _untaggedEntries) untagged[digest.ToString()] = d;
            foreach (var d in _graph.Roots()) untagged.TryAdd(d.Digest.ToString(), d);
            entries.AddRange(untagged.Values.Where(d => !tagged.Contains(d.Digest)));
        }
        var index = new ImageIndex { Manifests = entries };
        await AtomicFile.WriteAsync(Path.Combine(Root, IndexFileName), OciJson.Serialize(index), cancellationToken: ct).ConfigureAwait(false);
    }
}
