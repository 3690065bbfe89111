using AtymSecure.Oci.Wire;
using AtymSecure.Primitives;

namespace AtymSecure.Oci.Content;

/// <summary>
/// In-memory index of the manifests a local store holds: which manifests reference which children
/// (to find roots) and which manifests name a subject (to answer referrers queries). Thread-safe.
/// </summary>
internal sealed class ContentGraph
{
    private readonly Lock _lock = new();
    private readonly Dictionary<Digest, ManifestNode> _manifests = [];
    private readonly Dictionary<Digest, int> _parentCount = [];
    private readonly Dictionary<Digest, List<Descriptor>> _referrers = [];

    public void Add(ManifestNode node)
    {
        lock (_lock)
        {
            if (!_manifests.TryAdd(node.Descriptor.Digest, node)) return;
            foreach (var child in node.Children.DistinctBy(c => c.Digest))
                _parentCount[child.Digest] = _parentCount.GetValueOrDefault(child.Digest) + 1;
            if (node.Subject is { } subject)
            {
                if (!_referrers.TryGetValue(subject.Digest, out var list)) _referrers[subject.Digest] = list = [];
                if (!list.Any(d => d.Digest == node.Descriptor.Digest)) list.Add(node.AsReferrer());
            }
        }
    }

    public void Remove(Digest digest)
    {
        lock (_lock)
        {
            if (!_manifests.Remove(digest, out var node)) return;
            foreach (var child in node.Children.DistinctBy(c => c.Digest))
            {
                var n = _parentCount.GetValueOrDefault(child.Digest) - 1;
                if (n <= 0) _parentCount.Remove(child.Digest); else _parentCount[child.Digest] = n;
            }
            if (node.Subject is { } subject && _referrers.TryGetValue(subject.Digest, out var list))
            {
                list.RemoveAll(d => d.Digest == digest);
                if (list.Count == 0) _referrers.Remove(subject.Digest);
            }
        }
    }

    public bool TryGet(Digest digest, out ManifestNode? node)
    {
        lock (_lock) return _manifests.TryGetValue(digest, out node);
    }

    /// <summary>Manifests no other known manifest lists as a child (referrers are roots: subject is a weak link).</summary>
    public IReadOnlyList<Descriptor> Roots()
    {
        lock (_lock)
            return _manifests.Values.Where(n => !_parentCount.ContainsKey(n.Descriptor.Digest))
                .Select(n => n.Descriptor).OrderBy(d => d.Digest.ToString(), StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<Descriptor> Referrers(Digest subject, string? artifactType)
    {
        lock (_lock)
            return _referrers.TryGetValue(subject, out var list)
                ? list.Where(d => artifactType is null || d.ArtifactType == artifactType).ToList()
                : [];
    }
}
